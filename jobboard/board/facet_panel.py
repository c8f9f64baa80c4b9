"""The filter panel: facet counts turned into the options, labels and links a page shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.utils.translation import gettext, ngettext
from django_countries import countries

from jobboard.board.facets import is_capped
from jobboard.board.search import (
    CHOICE_FACETS,
    FACET_TITLES,
    FACETS,
    MAX_VALUES_PER_FACET,
    MIN_SALARY_CHOICES,
    POSTED_CHOICES,
    WORKPLACE_LABELS,
    JobSearch,
)


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    # The URL of this search with the option toggled; set for selected options only.
    url: str
    # Counted over a capped sample of a keyword search's matches: at least ``count``.
    at_least: bool = False


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    options: tuple[FacetOption, ...]
    # A single-choice facet is shown as radio buttons, the others as checkboxes.
    single: bool = False

    @property
    def has_selection(self) -> bool:
        return any(o.selected for o in self.options)


def _format_salary_threshold(amount: int) -> str:
    return f"{amount // 1000}k+"


def build_facets(
    search: JobSearch, counts: Mapping[str, Mapping[str, tuple[str, int]]]
) -> list[Facet]:
    """Turn counts into what the template shows: options with labels, counts and links."""
    facets: list[Facet] = []
    for name in FACETS:
        found = counts.get(name, {})
        options: list[FacetOption] = []
        if name in CHOICE_FACETS or name == "workplace":
            selected: tuple[str, ...] = getattr(search, name)
            rows = sorted(found.items(), key=lambda item: (-item[1][1], item[1][0].lower()))
            keep = list(rows[:MAX_VALUES_PER_FACET])
            # A chosen value stays visible even when it has no match any more.
            kept_values = {value for value, _ in keep}
            keep += [(v, (v, 0)) for v in selected if v not in kept_values]
            for value, (label, count) in keep:
                if name == "workplace":
                    label = gettext(WORKPLACE_LABELS[value]) if value in WORKPLACE_LABELS else value
                elif name == "country":
                    # In the page's language when the code is ISO 3166 (django-countries'
                    # names are translated); else the source's own spelling.
                    label = str(countries.name(value.upper())) or label or value.upper()
                options.append(
                    FacetOption(
                        value,
                        label,
                        count,
                        value in selected,
                        # Only chosen values are links (to remove them); the panel
                        # itself is a form, and 80 URLs a page are not free.
                        search.toggled(name, value) if value in selected else "",
                    )
                )
            facets.append(Facet(name, gettext(FACET_TITLES[name]), tuple(options)))
        elif name == "posted":
            for days in POSTED_CHOICES:
                label = (
                    gettext("Last 24 hours")
                    if days == 1
                    else ngettext("Last %(days)d day", "Last %(days)d days", days) % {"days": days}
                )
                count = found.get(str(days), ("", 0))[1]
                selected_now = search.posted == days
                url = search.url_with(posted=None if selected_now else days)
                options.append(FacetOption(str(days), label, count, selected_now, url))
            facets.append(Facet(name, gettext(FACET_TITLES[name]), tuple(options), single=True))
        elif name == "salary":
            count = found.get("shown", ("", 0))[1]
            url = search.url_with(salary=not search.salary)
            options.append(FacetOption("shown", gettext("Salary shown"), count, search.salary, url))
            facets.append(Facet(name, gettext(FACET_TITLES[name]), tuple(options)))
        elif name == "min_salary":
            for amount in MIN_SALARY_CHOICES:
                count = found.get(str(amount), ("", 0))[1]
                selected_now = search.min_salary == amount
                url = search.url_with(min_salary=None if selected_now else amount)
                options.append(
                    FacetOption(
                        str(amount),
                        _format_salary_threshold(amount),
                        count,
                        selected_now,
                        url,
                    )
                )
            facets.append(Facet(name, gettext(FACET_TITLES[name]), tuple(options), single=True))
    # Counts over a capped sample are lower bounds, and shown as such ("120+").
    return [
        replace(f, options=tuple(replace(o, at_least=True) for o in f.options))
        if is_capped(counts, f.name)
        else f
        for f in facets
    ]
