"""Forms of the match-request pages: they check the shape of input; services check the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from citypeers.directory import selectors as directory_selectors
from citypeers.directory.forms import language_choices
from citypeers.directory.models import Theme
from citypeers.partnerships.models import Modality
from citypeers.places.models import Country, Region

from .models import RequestStatus, SuggestionMode
from .selectors import RequestFilters

NAMES = ("name_en", "name_fr", "name_es")


def region_choices() -> list[tuple[str, str]]:
    """M49 regions in reading order, each followed by its sub-regions, indented with dashes."""
    regions = list(
        Region.objects.filter(level__gte=Region.Level.REGION).only(
            "m49", "level", "parent_id", *NAMES
        )
    )
    children: dict[int | None, list[Region]] = {}
    for r in regions:
        children.setdefault(r.parent_id, []).append(r)
    ids = {r.pk for r in regions}
    out: list[tuple[str, str]] = []

    def walk(parent: int | None) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: r.name):
            out.append((r.m49, ("— " * (r.level - 1)) + r.name))
            walk(r.pk)

    for root in sorted({r.parent_id for r in regions if r.parent_id not in ids}, key=str):
        walk(root)
    return out


def country_choices() -> list[tuple[str, str]]:
    return sorted(
        ((c.iso3, c.name) for c in Country.objects.only("iso3", *NAMES)), key=lambda c: c[1]
    )


class RequestFilterForm(forms.Form):
    """The list's filters; an invalid value is reported and ignored, never fatal."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("A word of the request or the requester's name."),
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    region = forms.ChoiceField(label=_("Region of the requester"), required=False)
    country = forms.ChoiceField(label=_("Country of the requester"), required=False)
    language = forms.ChoiceField(label=_("Language wished"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[str, Any]] = [("", _("All"))]
        choices: dict[str, list[tuple[str, Any]]] = {
            "theme": [(t.slug, t.label) for t in directory_selectors.theme_list()],
            "region": list(region_choices()),
            "country": list(country_choices()),
            "language": list(language_choices()),
        }
        for name, values in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = every + values

    def filters(self) -> RequestFilters:
        """The filters to apply: the valid fields only (``is_valid()`` has run)."""
        data = getattr(self, "cleaned_data", {})
        return RequestFilters(
            q=data.get("q", ""),
            status=RequestStatus.OPEN,
            theme=data.get("theme", ""),
            region=data.get("region", ""),
            country=data.get("country", ""),
            language=data.get("language", ""),
        )


class RequestForm(forms.Form):
    """Post a request (with ``own``: the organisations the user may post for) or edit one."""

    organisation = forms.ChoiceField(
        label=_("Your organisation"), help_text=_("One of the organisations you edit for.")
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("The need in a few words, e.g. “Reducing water losses in our network”."),
    )
    text = forms.CharField(
        label=_("What you are looking for"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Your situation, what you have tried and what you hope a peer can share. Plain "
            "text, in any language: the suggestions work across languages."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the text"),
        required=False,
        help_text=_("Left empty, the platform recognises it."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(
        label=_("Kind of peers sought"),
        choices=SuggestionMode.choices,
        initial=SuggestionMode.PARTNERS,
    )
    modality = forms.ChoiceField(
        label=_("Modality wished"), choices=Modality.choices, initial=Modality.C2C
    )
    regions = forms.MultipleChoiceField(
        label=_("Preferred regions"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Peers are suggested from these regions or countries only; none for all."),
    )
    countries = forms.MultipleChoiceField(
        label=_("Preferred countries"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages to work in"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, own: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        """``own``: (slug, name) of the organisations the user may post for; None when editing."""
        super().__init__(*args, **kwargs)
        if own is None:
            del self.fields["organisation"]
        else:
            cast(forms.ChoiceField, self.fields["organisation"]).choices = own
        languages = list(language_choices())
        cast(forms.ChoiceField, self.fields["language"]).choices = [("", "—"), *languages]
        cast(forms.ChoiceField, self.fields["languages"]).choices = languages
        cast(forms.ChoiceField, self.fields["regions"]).choices = region_choices()
        cast(forms.ChoiceField, self.fields["countries"]).choices = country_choices()

    def clean_regions(self) -> list[Region]:
        codes = self.cleaned_data.get("regions") or []
        return list(Region.objects.filter(m49__in=codes))

    def clean_countries(self) -> list[Country]:
        codes = self.cleaned_data.get("countries") or []
        return list(Country.objects.filter(iso3__in=codes))

    @staticmethod
    def initial_from(match_request: Any) -> dict[str, Any]:
        return {
            "title": match_request.title,
            "text": match_request.text,
            "language": match_request.language,
            "themes": [t.slug for t in match_request.themes.all()],
            "mode": match_request.mode,
            "modality": match_request.modality,
            "regions": [r.m49 for r in match_request.regions.all()],
            "countries": [c.iso3 for c in match_request.countries.all()],
            "languages": list(match_request.languages),
        }


def _lookup() -> dict[str, str]:
    """htmx attributes of the search box that fills the organisation list as one types."""
    return {
        "type": "search",
        "autocomplete": "off",
        "hx-get": reverse("matching:request-lookup"),
        "hx-trigger": "input changed delay:250ms, search",
        "hx-target": "#field-organisation",
        "hx-swap": "outerHTML",
        "hx-sync": "this:replace",
        "aria-controls": "id_organisation",
    }


class InviteForm(forms.Form):
    """Invite organisations: tick some suggestions, or find one by name (or both)."""

    suggested = forms.MultipleChoiceField(
        label=_("Suggested peers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    organisation_search = forms.CharField(
        label=_("Find another organisation"),
        required=False,
        help_text=_("Type part of its name, then choose it in the list below."),
    )
    organisation = forms.SlugField(label=_("Organisation"), required=False, widget=forms.Select)
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Why you invite them and what you propose. The invited see it with the request."
        ),
    )

    def __init__(
        self,
        *args: Any,
        suggested: list[tuple[str, str]] | None = None,
        names: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``suggested``: (slug, label) of the suggestions one may still invite; ``names``: slug →
        name of an organisation already chosen in the search list, to show it there."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["suggested"]).choices = suggested or []
        self.fields["organisation_search"].widget.attrs.update(_lookup())
        chosen = self.data.get("organisation") if self.is_bound else None
        names = names or {}
        self.fields["organisation"].widget.choices = [("", "—")] + (
            [(chosen, names[chosen])] if chosen in names else []
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("suggested") and not data.get("organisation") and not self.errors:
            self.add_error(
                "organisation", _("Tick a suggested peer or find an organisation by name.")
            )
        return data

    def chosen_slugs(self) -> list[str]:
        slugs = list(self.cleaned_data.get("suggested") or [])
        extra = self.cleaned_data.get("organisation")
        if extra and extra not in slugs:
            slugs.append(extra)
        return slugs


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Accept")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note, or why you decline"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to decline: the requester reads it."),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why close it (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Invitations still waiting for an answer are withdrawn."),
    )
