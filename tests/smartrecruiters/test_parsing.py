"""The tolerant readers every SmartRecruiters client parses with."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partner.smartrecruiters.parsing import flag, integer, number, obj, text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ({"a": 1}, ""),
        (["a"], ""),
        (True, "true"),
        (False, "false"),
        (311000101, "311000101"),
        (311000101.0, "311000101"),
        (52.5, "52.5"),
        ("  Acme Corp \n", "Acme Corp"),
    ],
)
def test_text_reads_any_json_value_as_a_trimmed_string(value, expected):
    assert text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("true", True), (" TRUE ", True), (False, False), ("yes", False), (None, False)],
)
def test_flag_is_true_only_for_true(value, expected):
    assert flag(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(30, 30), ("30", 30), ("30.0", 30), (30.9, 30), ("inf", None), ("x", None), (True, None)],
)
def test_integer_reads_numbers_and_numeric_strings_and_nothing_else(value, expected):
    assert integer(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("52.520008", Decimal("52.520008")), (70000, Decimal(70000)), ("", None), ("NaN", None)],
)
def test_number_is_a_finite_decimal_or_none(value, expected):
    assert number(value) == expected


def test_obj_is_an_empty_object_for_anything_but_an_object():
    assert obj([1]) == {}
    assert obj({"city": "Berlin"}) == {"city": "Berlin"}
