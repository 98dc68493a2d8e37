"""The search page's form: it checks the shape of the query and filters; the engine does the rest.

An invalid filter is reported next to its field and left out of the search, never fatal.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from citypeers.directory import selectors as directory_selectors
from citypeers.directory.forms import _region_tree, language_choices
from citypeers.places.models import Country, Region, Sdg
from citypeers.search import engine

MAX_QUERY = 500
DATE = {"type": "date"}


def type_labels() -> dict[str, str]:
    """Each searchable type in words, in the reader's language."""
    labels = {
        "practice": _("Practice"),
        "organisation": _("Organisation"),
        "partnership": _("Partnership"),
    }
    return {t: str(labels.get(t, t)) for t in engine.TYPES}


class SearchForm(forms.Form):
    SOUTH_CHOICES = [
        ("", _("North and South")),
        ("south", _("Global South")),
        ("north", _("Global North")),
    ]

    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=MAX_QUERY,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Words in any language: a practice written in Spanish answers a French query."),
    )
    types = forms.MultipleChoiceField(
        label=_("Types"), required=False, widget=forms.CheckboxSelectMultiple
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    sdg = forms.ChoiceField(label=_("Sustainable Development Goal"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    south = forms.ChoiceField(
        label=_("Global North / South"), required=False, choices=SOUTH_CHOICES
    )
    language = forms.ChoiceField(label=_("Written in"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(DATE))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(DATE))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[Any, Any]] = [("", _("All"))]
        self.type_labels = type_labels()
        self.theme_labels = {t.slug: t.label for t in directory_selectors.theme_list()}
        self.sdg_labels = {s.number: s.short for s in Sdg.objects.order_by("number")}
        self.country_labels = {
            c.iso3: c.name for c in Country.objects.only("iso3", "name_en", "name_fr", "name_es")
        }
        self.language_labels = dict(language_choices())
        regions = Region.objects.filter(level__gte=Region.Level.REGION).order_by("level", "m49")
        cast(forms.MultipleChoiceField, self.fields["types"]).choices = list(
            self.type_labels.items()
        )
        choices: dict[str, list[tuple[Any, Any]]] = {
            "theme": list(self.theme_labels.items()),
            "sdg": [(str(n), f"{n}. {label}") for n, label in self.sdg_labels.items()],
            "country": sorted(self.country_labels.items(), key=lambda c: c[1]),
            "region": [
                (r.m49, ("— " * (r.level - 1)) + r.name) for r in _region_tree(list(regions))
            ],
            "language": list(self.language_labels.items()),
        }
        for name, values in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = every + values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end comes before the start."))
        return data

    def query(self) -> str:
        """The words to search for ('' when none or invalid); ``is_valid()`` has run."""
        return str(getattr(self, "cleaned_data", {}).get("q", "") or "").strip()

    def filters(self) -> engine.SearchFilters:
        """The filters to apply: the valid fields only (``is_valid()`` has run)."""
        data = getattr(self, "cleaned_data", {})
        sdg = data.get("sdg") or ""
        return engine.SearchFilters(
            types=tuple(data.get("types") or engine.TYPES),
            theme=data.get("theme", ""),
            sdg=int(sdg) if sdg else None,
            country=data.get("country", ""),
            region=data.get("region", ""),
            south={"south": True, "north": False}.get(data.get("south", "")),
            language=data.get("language", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
