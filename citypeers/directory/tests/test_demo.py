"""``citypeers load-demo``: the directory's demo set, complete, marked as demo, and idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from citypeers.accounts.models import AuditEvent, OrganisationRole, User
from citypeers.directory import demo_data
from citypeers.directory.models import ActorType, Membership, Organisation, ProfileItem

pytestmark = pytest.mark.django_db

WORLD_REGIONS = {"002", "019", "142", "150", "009"}  # Africa, Americas, Asia, Europe, Oceania


@pytest.fixture
def load_demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the credentials file goes to the test's own folder

    def load() -> str:
        out = StringIO()
        call_command("load-demo", stdout=out)
        return out.getvalue()

    return load


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Organisation, Membership, ProfileItem, OrganisationRole, AuditEvent)
    }


def test_load_demo_twice_changes_nothing_the_second_time(load_demo):
    first_output = load_demo()
    after_first = counts()
    updated = dict(Organisation.objects.values_list("pk", "updated_at"))

    second_output = load_demo()

    assert counts() == after_first
    assert dict(Organisation.objects.values_list("pk", "updated_at")) == updated
    assert f"{len(demo_data.ORGANISATIONS)} created" in first_output
    assert "0 created" in second_output and "0 memberships and 0 roles" in second_output
    assert "skipped" not in first_output


def test_the_demo_set_covers_every_actor_type_and_world_region(load_demo):
    load_demo()
    demo = Organisation.objects.filter(external_id__startswith="demo:")
    assert demo.count() == len(demo_data.ORGANISATIONS)
    assert 40 <= demo.count() <= 60
    assert set(demo.values_list("actor_type", flat=True)) == set(ActorType.values)
    regions = set(demo.exclude(country=None).values_list("country__region__m49", flat=True))
    assert regions == WORLD_REGIONS
    # Global North and South both present, so the South filter shows something either way.
    assert set(demo.exclude(country=None).values_list("country__global_south", flat=True)) == {
        True,
        False,
    }


def test_every_demo_organisation_is_flagged_and_has_a_full_profile(load_demo):
    load_demo()
    demo = Organisation.objects.filter(external_id__startswith="demo:").prefetch_related(
        "themes", "sdgs", "profile_items"
    )
    assert not Organisation.objects.filter(is_demo=False).exists()
    languages = set()
    for organisation in demo:
        assert organisation.is_demo
        assert organisation.themes.all() and organisation.sdgs.all(), organisation
        kinds = {item.kind for item in organisation.profile_items.all()}
        assert kinds == {"challenge", "expertise"}, organisation
        assert organisation.original_language in organisation.descriptions, organisation
        text = " ".join([organisation.name, *organisation.descriptions.values()]).lower()
        assert any(word in text for word in ("demo", "démonstration", "demostración")), text
        languages.add(organisation.original_language)
    assert {"en", "fr", "es"} <= languages
    assert demo.filter(descriptions__has_key="en", original_language="fr").exists()


def test_local_governments_take_their_city_and_population(load_demo):
    load_demo()
    dakar = Organisation.objects.select_related("city", "country").get(external_id="demo:dakar")
    assert dakar.city.geonameid == demo_data.DAKAR
    assert dakar.country.iso3 == "SEN"
    assert dakar.population_served == dakar.city.population
    andalucia = Organisation.objects.get(external_id="demo:andalucia")
    assert andalucia.admin_area.name == "Andalucía"
    assert "sevilla" not in andalucia.slug


def test_memberships_and_roles_of_the_demo_people(load_demo):
    load_demo()

    def parents(key: str) -> set[str]:
        return set(
            Membership.objects.filter(member__external_id=f"demo:{key}").values_list(
                "parent__external_id", flat=True
            )
        )

    assert "demo:lga-sen" in parents("dakar")
    assert "demo:world-network" in parents("lga-sen")
    assert "demo:world-network" in parents("academia-utrecht")
    assert Membership.objects.count() == len(demo_data.MEMBERSHIPS)

    def role(username: str, key: str) -> str:
        return OrganisationRole.objects.get(
            user__username=username, organisation__external_id=f"demo:{key}"
        ).role

    assert role("amina", "dakar") == "admin"
    assert role("lucia", "sevilla") == "editor"
    assert role("demo-admin", "world-network") == "admin"


def test_a_city_claimed_before_the_demo_is_left_alone(load_demo):
    from citypeers.accounts.tests.factories import UserFactory
    from citypeers.directory import services
    from citypeers.directory.tests.factories import city

    claimed = services.organisation_claim_city(actor=UserFactory(), city=city(demo_data.SUVA))
    output = load_demo()
    assert "'Suva City Council' skipped" in output
    claimed.refresh_from_db()
    assert not claimed.is_demo and claimed.external_id == ""
    # The memberships that needed the skipped organisation are left out, the rest are made.
    assert not Membership.objects.filter(member=claimed).exists()
    assert Membership.objects.count() == len(demo_data.MEMBERSHIPS) - 2
