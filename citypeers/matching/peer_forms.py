"""Forms of the "Find peers" pages: the filters, and the challenge stated in free text.

They check the shape of the input only; the engine checks the rules (a Southern requester for
South–South suggestions, …) and its errors are shown on the page.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from citypeers.directory.forms import _region_tree, language_choices
from citypeers.directory.models import ActorType
from citypeers.places.models import Country, Region

from . import engine

MAX_CHALLENGE = 5000


def mode_labels() -> dict[str, str]:
    return {
        "peers": str(_("Similar situation")),
        "partners": str(_("Likely partners")),
        "south-south": str(_("South–South")),
        "triangular": str(_("Triangular")),
        "association": str(_("Association to association")),
    }


def mode_help() -> dict[str, str]:
    return {
        "peers": str(_("Organisations like yours: size, region, development, languages, type.")),
        "partners": str(
            _("Organisations likely to cooperate with you, learned from the partnerships.")
        ),
        "south-south": str(_("Southern organisations, for a Southern organisation.")),
        "triangular": str(
            _("For you and a Southern partner: a third actor beyond the South with the expertise.")
        ),
        "association": str(_("Associations of local governments and networks, for one of them.")),
    }


class PeerFilterForm(forms.Form):
    """Filters shared by both pages. Invalid values are reported next to their field and left
    out, never fatal."""

    mode = forms.ChoiceField(label=_("Kind of peers"), required=False)
    k = forms.IntegerField(
        label=_("How many"), required=False, min_value=1, max_value=engine.K_MAX, initial=10
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    south_only = forms.BooleanField(label=_("Global South only"), required=False)
    min_population = forms.IntegerField(label=_("Population from"), required=False, min_value=0)
    max_population = forms.IntegerField(label=_("Population up to"), required=False, min_value=0)
    actor_type = forms.ChoiceField(label=_("Type of organisation"), required=False)
    language = forms.ChoiceField(label=_("Works in"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[Any, Any]] = [("", _("All"))]
        regions = Region.objects.filter(level__gte=Region.Level.REGION).order_by("level", "m49")
        countries = sorted(
            (
                (c.iso3, c.name)
                for c in Country.objects.only("iso3", "name_en", "name_fr", "name_es")
            ),
            key=lambda c: c[1],
        )
        choices: dict[str, list[tuple[Any, Any]]] = {
            "region": [
                (r.m49, ("— " * (r.level - 1)) + r.name) for r in _region_tree(list(regions))
            ],
            "country": countries,
            "actor_type": list(ActorType.choices),
            "language": list(language_choices()),
        }
        for name, values in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = every + values
        cast(forms.ChoiceField, self.fields["mode"]).choices = list(mode_labels().items())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_population"), data.get("max_population")
        if low is not None and high is not None and high < low:
            self.add_error("max_population", _("The upper bound is below the lower one."))
        return data

    def chosen_mode(self) -> str:
        return str(getattr(self, "cleaned_data", {}).get("mode") or "peers")

    def chosen_k(self) -> int:
        return int(getattr(self, "cleaned_data", {}).get("k") or 10)

    def filters(self) -> engine.MatchFilters:
        """The valid filters (``is_valid()`` has run)."""
        data = getattr(self, "cleaned_data", {})

        def one(name: str) -> tuple[str, ...]:
            value = data.get(name) or ""
            return (value,) if value else ()

        return engine.MatchFilters(
            regions=one("region"),
            countries=one("country"),
            south_only=bool(data.get("south_only")),
            min_population=data.get("min_population"),
            max_population=data.get("max_population"),
            actor_types=one("actor_type"),
            languages=one("language"),
        )


class OrganisationPeersForm(PeerFilterForm):
    pair_with = forms.TypedChoiceField(
        label=_("Southern partner to pair with"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Triangular mode: the current Southern partner you work with."),
    )

    def __init__(self, *args: Any, pair_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["pair_with"]).choices = [
            ("", _("Choose a partner")),
            *pair_choices,
        ]


class ChallengeForm(PeerFilterForm):
    q = forms.CharField(
        label=_("Your challenge"),
        required=False,
        max_length=MAX_CHALLENGE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "In any language: a challenge written in French finds peers who wrote in Spanish."
        ),
    )
    requester = forms.TypedChoiceField(
        label=_("Asking as"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, requester_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["requester"])
        field.choices = [("", _("Nobody in particular")), *requester_choices]
        if not requester_choices:
            field.widget = forms.HiddenInput()

    def text(self) -> str:
        return str(getattr(self, "cleaned_data", {}).get("q") or "").strip()
