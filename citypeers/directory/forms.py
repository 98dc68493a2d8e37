"""Forms of the directory pages: they check the shape of input; services check the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from citypeers.accounts.models import OrganisationRole
from citypeers.places.models import AdminArea, City, Country, Region, Sdg
from citypeers.places.selectors import place_search

from . import selectors
from .models import (
    ActorType,
    ClaimStatus,
    ManagementClaim,
    Membership,
    Organisation,
    ProfileItem,
    Theme,
)
from .services import LANGUAGE_CODES

TRANSLATION_LANGUAGES = ("en", "fr", "es")


def language_name(code: str) -> str:
    """The language's name in the reader's language (``"fr"`` → "French"), else its code."""
    for candidate in (code, f"{code}-hans"):  # Django knows Chinese by its scripts
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return code


def language_choices() -> list[tuple[str, str]]:
    return sorted(((code, language_name(code)) for code in LANGUAGE_CODES), key=lambda c: c[1])


def themes_field() -> forms.ModelMultipleChoiceField:
    """The themes of a record, chosen by slug among check boxes (every form that tags themes)."""
    return forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def sdgs_field() -> forms.ModelMultipleChoiceField:
    """The SDGs of a record, chosen by number among check boxes, in the goals' order."""
    return forms.ModelMultipleChoiceField(
        label=_("Sustainable Development Goals"),
        queryset=Sdg.objects.order_by("number"),
        to_field_name="number",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class FilterForm(forms.Form):
    """The directory list's filters; an invalid value is reported and ignored, never fatal."""

    SOUTH_CHOICES = [
        ("", _("North and South")),
        ("south", _("Global South")),
        ("north", _("Global North")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    actor_type = forms.ChoiceField(label=_("Actor type"), required=False)
    country = forms.CharField(label=_("Country"), required=False, widget=forms.Select)
    region = forms.ChoiceField(label=_("Region"), required=False)
    south = forms.ChoiceField(
        label=_("Global North / South"), required=False, choices=SOUTH_CHOICES
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    population = forms.ChoiceField(label=_("Population served"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        cast(forms.ChoiceField, self.fields["actor_type"]).choices = every + list(ActorType.choices)
        countries = sorted(
            (c.iso3, c.name) for c in Country.objects.only("iso3", "name_en", "name_fr", "name_es")
        )
        self.countries = dict(countries)
        self.fields["country"].widget.choices = every + sorted(countries, key=lambda c: c[1])
        regions = Region.objects.filter(level__gte=Region.Level.REGION).order_by("level", "m49")
        cast(forms.ChoiceField, self.fields["region"]).choices = every + [
            (r.m49, ("— " * (r.level - 1)) + r.name) for r in _region_tree(list(regions))
        ]
        cast(forms.ChoiceField, self.fields["theme"]).choices = every + [
            (t.slug, t.label) for t in selectors.theme_list()
        ]
        cast(forms.ChoiceField, self.fields["population"]).choices = every + list(
            POPULATION_LABELS.items()
        )

    def clean_country(self) -> str:
        iso3 = (self.cleaned_data.get("country") or "").strip().upper()
        if iso3 and iso3 not in self.countries:
            raise forms.ValidationError(_("Choose a country from the list."))
        return iso3

    def filters(self) -> selectors.OrganisationFilters:
        """The filters to apply: the valid fields only (``is_valid()`` has run)."""
        data = getattr(self, "cleaned_data", {})
        south = {"south": True, "north": False}.get(data.get("south", ""))
        return selectors.OrganisationFilters(
            q=data.get("q", ""),
            actor_type=data.get("actor_type", ""),
            country=data.get("country", ""),
            region=data.get("region", ""),
            south=south,
            theme=data.get("theme", ""),
            population=data.get("population", ""),
        )

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, "cleaned_data", {}).values())


POPULATION_LABELS = {
    "under-50k": _("Under 50,000"),
    "50k-250k": _("50,000 to 250,000"),
    "250k-1m": _("250,000 to 1 million"),
    "1m-5m": _("1 to 5 million"),
    "over-5m": _("Over 5 million"),
}
assert set(POPULATION_LABELS) == set(selectors.POPULATION_BANDS)


def _region_tree(regions: list[Region]) -> list[Region]:
    """Regions in reading order: each followed by its sub-regions and their intermediate ones."""
    children: dict[int | None, list[Region]] = {}
    for r in regions:
        children.setdefault(r.parent_id, []).append(r)
    ids = {r.pk for r in regions}
    out: list[Region] = []

    def walk(parent: int | None) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: r.name):
            out.append(r)
            walk(r.pk)

    for root in {r.parent_id for r in regions if r.parent_id not in ids}:
        walk(root)
    return out


class OrganisationForm(forms.Form):
    """An organisation's profile. The place is a country, optionally a first-level region, and a
    city chosen by its GeoNames id (the page offers a search that fills the city list)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    acronym = forms.CharField(
        label=_("Acronym"), max_length=30, required=False, help_text=_("For example UCLG, FCM.")
    )
    actor_type = forms.ChoiceField(label=_("Actor type"), choices=ActorType.choices)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="iso3",
        empty_label="—",
        required=False,
        help_text=_("Where the organisation governs or is based. Networks may leave it empty."),
    )
    admin_area = forms.ModelChoiceField(
        label=_("First-level region"),
        queryset=AdminArea.objects.none(),
        empty_label="—",
        required=False,
        help_text=_("State, province or region; required for a regional government."),
    )
    city_search = forms.CharField(
        max_length=200,
        label=_("Find the city"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Type the start of the city's name, then choose it in the list below."),
    )
    city = forms.IntegerField(
        label=_("City"),
        required=False,
        widget=forms.Select,
        help_text=_("Required for a city or metropolitan government."),
    )
    population_served = forms.IntegerField(
        label=_("Population served"), min_value=0, required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages of work"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=200
    )
    original_language = forms.ChoiceField(
        label=_("Language of the description"),
        initial="en",
        help_text=_("The language the description below is written in."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the organisation does, in its original language. Plain text."),
    )
    description_en = forms.CharField(
        label=_("English translation"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    description_fr = forms.CharField(
        label=_("French translation"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    description_es = forms.CharField(
        label=_("Spanish translation"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    themes = themes_field()
    sdgs = sdgs_field()

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        self.organisation = organisation
        if organisation is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(organisation)
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["languages"]).choices = language_choices()
        cast(forms.ChoiceField, self.fields["original_language"]).choices = language_choices()
        self.fields["sdgs"].label_from_instance = lambda s: f"{s.number}. {s.short}"  # type: ignore[attr-defined]
        # As one chooses a country, its regions fill the region list; as one types a city's
        # name, the matching cities of that country fill the city list.
        self.fields["country"].widget.attrs.update(
            {
                "hx-get": reverse("directory:lookup-admin-areas"),
                "hx-trigger": "change",
                "hx-target": "#field-admin_area",
                "hx-swap": "outerHTML",
            }
        )
        self.fields["city_search"].widget.attrs.update(
            {
                "hx-get": reverse("directory:lookup-cities"),
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": "#field-city",
                "hx-swap": "outerHTML",
                "hx-include": "#id_country",
                "hx-sync": "this:replace",
                "aria-controls": "id_city",
            }
        )
        country = self._chosen_country()
        if country:
            cast(
                forms.ModelChoiceField, self.fields["admin_area"]
            ).queryset = AdminArea.objects.filter(country__iso3=country).order_by("name")
        city = self._chosen_city()
        self.fields["city"].widget.choices = [("", "—")] + (
            [(city.geonameid, city_label(city))] if city else []
        )

    @staticmethod
    def initial_from(organisation: Organisation) -> dict[str, Any]:
        original = organisation.original_language
        descriptions = organisation.descriptions or {}
        initial: dict[str, Any] = {
            "name": organisation.name,
            "acronym": organisation.acronym,
            "actor_type": organisation.actor_type,
            "country": organisation.country.iso3 if organisation.country else None,
            "admin_area": organisation.admin_area_id,
            "city": organisation.city.geonameid if organisation.city else None,
            "population_served": organisation.population_served,
            "languages": organisation.languages,
            "website": organisation.website,
            "original_language": original,
            "description": descriptions.get(original, ""),
            "themes": [t.slug for t in organisation.themes.all()],
            "sdgs": [s.number for s in organisation.sdgs.all()],
        }
        for lang in TRANSLATION_LANGUAGES:
            if lang != original:
                initial[f"description_{lang}"] = descriptions.get(lang, "")
        return initial

    def _chosen_country(self) -> str:
        if self.is_bound:
            return str(self.data.get("country", "") or "").upper()
        value = self.initial.get("country")
        return str(value or "")

    def _chosen_city(self) -> City | None:
        raw = self.data.get("city") if self.is_bound else self.initial.get("city")
        try:
            geonameid = int(raw or 0)
        except (TypeError, ValueError):
            return None
        if not geonameid:
            return None
        return City.objects.with_places().filter(geonameid=geonameid).first()

    def clean_city(self) -> City | None:
        geonameid = self.cleaned_data.get("city")
        if not geonameid:
            return None
        city = City.objects.with_places().filter(geonameid=geonameid).first()
        if city is None:
            raise forms.ValidationError(_("No city has this GeoNames id."))
        return city

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("city") and data.get("city_search") and "city" not in self.errors:
            # Without JavaScript the list is not filled as one types: take the best match.
            country = data.get("country")
            hits = place_search(
                q=data["city_search"], limit=10, country=country.iso3 if country else None
            )
            found = [h for h in hits if h.kind == "city"]
            if not found:
                self.add_error("city_search", _("No city matches this name."))
            else:
                data["city"] = City.objects.with_places().get(geonameid=int(found[0].id))
        original = data.get("original_language") or "en"
        for lang in TRANSLATION_LANGUAGES:
            if lang == original and data.get(f"description_{lang}"):
                self.add_error(
                    f"description_{lang}",
                    _("This is the original language: write this text in Description."),
                )
        return data

    def descriptions(self) -> dict[str, str]:
        """Descriptions per language; languages this form does not show are kept as they were."""
        data = self.cleaned_data
        original = data["original_language"]
        kept = dict(self.organisation.descriptions) if self.organisation else {}
        out = {k: v for k, v in kept.items() if k not in (*TRANSLATION_LANGUAGES, original)}
        for lang in TRANSLATION_LANGUAGES:
            if lang != original and data.get(f"description_{lang}"):
                out[lang] = data[f"description_{lang}"]
        if data.get("description"):
            out[original] = data["description"]
        return out

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``organisation_create`` / ``organisation_update``."""
        data = self.cleaned_data
        city = data["city"]
        # A city brings its own first-level region (GeoNames knows it) unless it has none.
        admin_area = None if city is not None and city.admin_area_id else data["admin_area"]
        return {
            "name": data["name"],
            "acronym": data["acronym"],
            "actor_type": data["actor_type"],
            "country": data["country"],
            "admin_area": admin_area,
            "city": city,
            "population_served": data["population_served"],
            "languages": list(data["languages"]),
            "website": data["website"],
            "original_language": data["original_language"],
            "descriptions": self.descriptions(),
            "themes": list(data["themes"]),
            "sdgs": list(data["sdgs"]),
        }


def city_label(city: City) -> str:
    parts = [city.name]
    if city.admin_area is not None:
        parts.append(city.admin_area.name)
    parts.append(city.country.name)
    return ", ".join(parts)


class ProfileItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProfileItem.Kind.choices)
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.all(), to_field_name="slug"
    )
    text = forms.CharField(
        label=_("Description"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few sentences: what the challenge is, or what you can share."),
    )


class MembershipForm(forms.Form):
    """A member recorded in this organisation: the member is chosen by its address name."""

    member_search = forms.CharField(
        max_length=200,
        label=_("Find the member organisation"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Type part of its name, then choose it in the list below."),
    )
    member = forms.SlugField(label=_("Member organisation"), widget=forms.Select)
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )
    start_date = forms.DateField(
        label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_search"].widget.attrs.update(
            {
                "hx-get": reverse("directory:lookup-organisations"),
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": "#field-member",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
                "aria-controls": "id_member",
            }
        )
        chosen = (
            Organisation.objects.filter(slug=self.data.get("member", "")).first()
            if self.is_bound and self.data.get("member")
            else None
        )
        self.fields["member"].widget.choices = [("", "—")] + (
            [(chosen.slug, str(chosen))] if chosen else []
        )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=OrganisationRole.Role.choices, initial=OrganisationRole.Role.MEMBER
    )


class RoleForm(forms.Form):
    user = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationRole.Role.choices)


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo"),
        help_text=_(
            "A PNG, JPEG, GIF or WebP picture of at most 5 MB; it is stored as a PNG of at most "
            "512 pixels a side, without the file's metadata."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )


class ClaimForm(forms.Form):
    """Ask to manage an organisation: who one is there, and anything that helps the moderator."""

    position = forms.CharField(
        label=_("Your position or role title"),
        max_length=ManagementClaim.POSITION_MAX,
        help_text=_("For example: Head of international relations, City of Lyon."),
    )
    message = forms.CharField(
        label=_("Message to the moderators"),
        required=False,
        max_length=ManagementClaim.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "How can they check that you act for this organisation? For example a page of its "
            "website that names you, or a colleague they can write to."
        ),
    )


class ClaimDecisionForm(forms.Form):
    """A moderator's decision on a claim; the service requires the reason of a rejection."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=ManagementClaim.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *ClaimStatus.choices],
    )
