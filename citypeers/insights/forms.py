"""The map's filters: they check the shape of input, the selectors read the stored figures."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from citypeers.partnerships.models import Geography, Modality

from .selectors import Labels, MapFilters

FIGURES = [
    ("partnerships", _("Partnerships")),
    ("south_south_share", _("South–South share")),
    ("practices", _("Published practices")),
    ("events", _("Events")),
    ("organisations", _("Organisations")),
]


class MapFilterForm(forms.Form):
    figure = forms.ChoiceField(
        label=_("Shade countries by"), required=False, choices=FIGURES, initial="partnerships"
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    modality = forms.ChoiceField(
        label=_("Modality"), required=False, choices=[("", _("All modalities")), *Modality.choices]
    )
    geography = forms.ChoiceField(
        label=_("Geography"),
        required=False,
        choices=[("", _("All geographies")), *Geography.choices],
    )
    year_from = forms.IntegerField(
        label=_("Started from (year)"), required=False, min_value=1900, max_value=2100
    )
    year_to = forms.IntegerField(
        label=_("Started until (year)"), required=False, min_value=1900, max_value=2100
    )

    def __init__(self, *args: Any, themes: Labels, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All themes"))] + [  # type: ignore[attr-defined]
            (slug, themes.get("theme", slug)) for slug in themes.keys("theme")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("year_from"), data.get("year_to")
        if first is not None and last is not None and first > last:
            self.add_error("year_to", _("The last year comes before the first."))
        return data

    def filters(self) -> MapFilters:
        """The valid filters (an invalid field is left out)."""
        if not self.is_bound:
            return MapFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return MapFilters(
            theme=data.get("theme") or "",
            modality=data.get("modality") or "",
            geography=data.get("geography") or "",
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
        )

    def chosen_figure(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("figure") or "partnerships"
        return "partnerships"
