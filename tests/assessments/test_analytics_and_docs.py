"""Analytics per package and client company; the API documentation; onboarding staff."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.views import APIView

from partner.assessments import analytics, orders
from partner.assessments.models import AssessmentResult, Order
from tests.assessments.factories import fullstack_package
from tests.assessments.workspace import place_order


def _complete(order: Order, raw: int, *, minutes: int = 10) -> None:
    orders.order_complete(order=order, score_raw=raw, score_min=0, score_max=10)
    started = timezone.now() - timedelta(minutes=minutes)
    AssessmentResult.objects.filter(order=order).update(
        started_at=started, submitted_at=timezone.now()
    )


@pytest.fixture
def history(company, other_company, queued) -> None:
    fullstack_package()
    fullstack_package(external_id="pkg-other", offered_to_all=True)
    for raw in (9, 7, 7, 2):
        _complete(place_order(company.integration), raw)
    _complete(place_order(other_company.integration, package_id="pkg-other"), 5, minutes=20)
    orders.order_reject(order=place_order(other_company.integration), reason="Withdrawn")
    place_order(company.integration, invite=False)  # NEW: not counted as invited


@pytest.mark.django_db
def test_the_figures_per_package_and_client(history):
    report = analytics.analytics_report()
    assert (report.total.orders, report.total.invited, report.total.completed) == (7, 6, 5)
    assert report.total.histogram == [0, 0, 1, 0, 0, 1, 0, 2, 0, 1]
    assert round(report.total.completion_rate) == 83
    acme, globex = report.clients
    assert (acme.name, acme.orders, acme.completed) == ("Acme Corp", 5, 4)
    assert acme.completion_rate == 100
    assert (globex.name, globex.rejected) == ("Globex", 1)
    assert globex.mean_candidate_time == timedelta(minutes=20)
    assert sorted(row.completed for row in report.packages) == [1, 4]
    only_globex = analytics.analytics_report(client=globex_client())
    assert only_globex.total.orders == 2


def globex_client():
    from partner.assessments.models import ClientAccount

    return ClientAccount.objects.get(name="Globex")


@pytest.mark.django_db
def test_the_analytics_page_draws_the_distribution_in_svg(
    history, admin_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        page = admin_client.get("/admin/assessments/order/analytics/").content.decode()
    assert '<svg class="asm-chart"' in page
    assert page.count('<rect class="bar"') == 10 + 10 * 4  # the big chart, and one per row
    assert "70-79 %: 2" in page
    assert 'id="by-package"' in page
    assert 'id="by-client"' in page
    assert "<script" not in page.split('id="content-main"')[1]
    filtered = admin_client.get(
        "/admin/assessments/order/analytics/", {"client": globex_client().pk}
    ).content.decode()
    assert "Acme Corp" not in filtered.split('id="by-client"')[1]


@pytest.mark.django_db
def test_the_api_is_browsable_from_our_own_static_files(client):
    page = client.get("/api/schema/swagger-ui/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "<script>" not in page
    assert "<style>" not in page
    assert "https://" not in page
    redoc = client.get("/api/schema/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in redoc
    assert "fonts.googleapis.com" not in redoc
    assert client.get("/api/schema/swagger-ui/?script=").status_code == 200


def _drf_paths(patterns, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found |= _drf_paths(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None)
            if (
                isinstance(view, type)
                and issubclass(view, APIView)
                and not route.startswith("api/schema")
            ):
                # <int:id>, <str:order_id>, <name>: OpenAPI's {id}, {order_id}, {name}.
                found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return found


@pytest.mark.django_db
def test_the_schema_covers_every_api_we_serve(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    served = _drf_paths(get_resolver().url_patterns)
    assert "/sr/assessments/packages/orders" in served
    assert served <= set(schema["paths"])


@pytest.mark.django_db
def test_create_vendor_staff_adds_a_member_to_the_staff_group():
    out = StringIO()
    call_command(
        "create_vendor_staff", "Ana@Vendor.example", "--first-name", "Ana", "--no-input", stdout=out
    )
    user = User.objects.get(username="ana")
    assert user.is_staff
    assert user.email == "ana@vendor.example"
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Assessment staff"]
    assert user.has_perm("assessments.change_order")
    assert not user.has_perm("auth.change_user")
    assert "changepassword ana" in out.getvalue()
    call_command("create_vendor_staff", "ana@vendor.example", "--no-input", stdout=StringIO())
    assert User.objects.count() == 1
    assert Group.objects.get(name="Assessment staff").user_set.count() == 1
    with pytest.raises(CommandError, match="email"):
        call_command("create_vendor_staff", "not-an-address", "--no-input", stdout=StringIO())
