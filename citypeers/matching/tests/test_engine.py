"""The engine over small directories where the right answer is known."""

from __future__ import annotations

import pytest

from citypeers.core.errors import ApplicationError, NotFound
from citypeers.directory.models import ActorType, ProfileItem
from citypeers.directory.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProfileItemFactory,
    theme,
)
from citypeers.knowledge.models import Status as PracticeStatus
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.matching import engine, snapshot
from citypeers.partnerships.models import PartnershipMember, Status
from citypeers.partnerships.tests.factories import PartnershipFactory
from citypeers.places.models import City

pytestmark = pytest.mark.django_db


def town(name: str, iso3: str, actor_type: str = ActorType.MUNICIPALITY, **kwargs):
    place = City.objects.filter(name=name, country__iso3=iso3).order_by("-population").first()
    assert place is not None, name
    return OrganisationFactory(
        name=f"{name} ({actor_type})",
        actor_type=actor_type,
        city=place,
        country=place.country,
        **kwargs,
    )


@pytest.fixture
def network():
    """Lyon–Porto, Porto–Turin, Turin–Köln; Dakar–Bamako (South); Madrid alone."""
    o = {
        "lyon": town("Lyon", "FRA", languages=["fr", "en"]),
        "porto": town("Porto", "PRT"),
        "turin": town("Turin", "ITA"),
        "koln": town("Köln", "DEU"),
        "dakar": town("Dakar", "SEN", languages=["fr"]),
        "bamako": town("Bamako", "MLI", languages=["fr"]),
        "abidjan": town("Abidjan", "CIV", languages=["fr"]),
        "madrid": town("Madrid", "ESP", languages=["es"]),
    }
    for a, b in (("lyon", "porto"), ("porto", "turin"), ("turin", "koln"), ("dakar", "bamako")):
        PartnershipFactory(members=[o[a], o[b]])
    return o


def ids(suggestions):
    return [s.organisation_id for s in suggestions]


def test_partners_of_partners_come_first_and_partners_are_ruled_out(network):
    lyon, porto, turin = network["lyon"], network["porto"], network["turin"]
    found = engine.suggest_for_organisation(lyon.pk, mode="partners", k=5, include_excluded=True)
    kept = [s for s in found if not s.excluded]
    assert kept[0].organisation_id == turin.pk
    network_reason = next(r for r in kept[0].reasons if r.signal == "network")
    assert network_reason.text.startswith("1 shared partner (")
    assert porto.name in network_reason.text
    assert lyon.pk not in ids(found)  # never itself
    ruled_out = [s for s in found if s.excluded]
    assert ids(ruled_out) == [porto.pk]
    assert ruled_out[0].reasons[0].signal == "already_partners"
    assert "Already a partner" in ruled_out[0].reasons[0].text
    assert porto.pk not in ids(engine.suggest_for_organisation(lyon.pk, mode="partners", k=7))


def test_scores_are_sums_of_contributions_in_order(network):
    found = engine.suggest_for_organisation(network["lyon"].pk, mode="peers", k=6)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    for s in found:
        assert all(r.text for r in s.reasons)
        assert sum(r.contribution for r in s.reasons) <= s.score + 1e-6 + sum(
            abs(r.contribution) for r in s.reasons if r.contribution < 0
        )


def test_declined_partnerships_and_unanswered_invitations_are_not_edges(network):
    lyon, madrid, koln = network["lyon"], network["madrid"], network["koln"]
    PartnershipFactory(members=[lyon, madrid], status=Status.DECLINED)
    pending = PartnershipFactory(members=[lyon])
    PartnershipMember.objects.create(partnership=pending, organisation=koln, accepted=False)
    snapshot.invalidate()
    found = engine.suggest_for_organisation(lyon.pk, mode="partners", k=7, include_excluded=True)
    ruled_out = {s.organisation_id for s in found if s.excluded}
    assert madrid.pk not in ruled_out and koln.pk not in ruled_out
    assert madrid.pk in ids(found)


def test_memberships_link_organisations(network):
    association = town("Paris", "FRA", actor_type=ActorType.LGA)
    MembershipFactory(member=network["madrid"], parent=association)
    MembershipFactory(member=network["lyon"], parent=association)
    found = engine.suggest_for_organisation(
        network["madrid"].pk, mode="partners", k=3, include_excluded=True
    )
    assert found[0].organisation_id == network["lyon"].pk
    assert any(r.signal == "network" and r.contribution > 0 for r in found[0].reasons)
    # Its own association is not suggested: it is ruled out, and says why.
    ruled_out = [s for s in found if s.excluded]
    assert ids(ruled_out) == [association.pk]
    assert ruled_out[0].reasons[0].text == "Already linked by a membership"


def test_south_south_only_for_the_south(network):
    with pytest.raises(ApplicationError) as raised:
        engine.suggest_for_organisation(network["lyon"].pk, mode="south-south")
    assert raised.value.field == "mode"
    assert "Global South" in raised.value.message
    found = engine.suggest_for_organisation(network["dakar"].pk, mode="south-south", k=10)
    assert ids(found) == [network["abidjan"].pk]  # Bamako is a partner already
    assert network["abidjan"].country.global_south is True


def test_triangular_suggests_beyond_the_south_with_the_expertise(network):
    dakar, bamako, lyon, madrid = (network[k] for k in ("dakar", "bamako", "lyon", "madrid"))
    water = theme("water-sanitation")
    ProfileItemFactory(
        organisation=dakar, theme=water, text="Informal settlements without piped water."
    )
    ProfileItemFactory(
        organisation=madrid,
        kind=ProfileItem.Kind.EXPERTISE,
        theme=water,
        text="Extending piped water networks to informal settlements.",
    )
    ProfileItemFactory(
        organisation=lyon,
        kind=ProfileItem.Kind.EXPERTISE,
        theme=theme("culture"),
        text="Restoring historic theatres.",
    )
    with pytest.raises(ApplicationError) as raised:
        engine.suggest_for_organisation(dakar.pk, mode="triangular")
    assert raised.value.field == "pair_with"
    with pytest.raises(ApplicationError) as raised:
        engine.suggest_for_organisation(dakar.pk, mode="triangular", pair_with=lyon.pk)
    assert raised.value.field == "pair_with"
    found = engine.suggest_for_organisation(dakar.pk, mode="triangular", pair_with=bamako.pk, k=10)
    assert found and found[0].organisation_id == madrid.pk
    assert all(s.organisation_id not in (dakar.pk, bamako.pk, network["abidjan"].pk) for s in found)
    reason = next(r for r in found[0].reasons if r.signal == "complementarity")
    assert "Extending piped water" in reason.text
    assert engine.southern_partners(dakar.pk) == [bamako.pk]


def test_association_mode(network):
    lga = town("Paris", "FRA", actor_type=ActorType.LGA)
    other = town("Dakar", "SEN", actor_type=ActorType.LGA)
    world = town("Barcelona", "ESP", actor_type=ActorType.NETWORK)
    MembershipFactory(member=lga, parent=world)
    with pytest.raises(ApplicationError):
        engine.suggest_for_organisation(network["lyon"].pk, mode="association")
    found = engine.suggest_for_organisation(lga.pk, mode="association", k=10)
    assert ids(found) == [other.pk]  # the network it belongs to is ruled out
    found = engine.suggest_for_organisation(other.pk, mode="association", k=10)
    assert set(ids(found)) == {lga.pk, world.pk}


def test_peers_share_challenges_and_context(network):
    lyon, turin, madrid = network["lyon"], network["turin"], network["madrid"]
    ProfileItemFactory(
        organisation=lyon, theme=theme("mobility"), text="Too many cars in the city centre."
    )
    ProfileItemFactory(
        organisation=madrid,
        theme=theme("mobility"),
        text="Reducir el tráfico de coches en el centro.",
    )
    ProfileItemFactory(organisation=turin, theme=theme("culture"), text="Museums lack visitors.")
    found = engine.suggest_for_organisation(lyon.pk, mode="peers", k=7)
    madrid_s = next(s for s in found if s.organisation_id == madrid.pk)
    turin_s = next(s for s in found if s.organisation_id == turin.pk)
    challenge = {r.signal: r for r in madrid_s.reasons}["challenge"]
    assert "Reducir el tráfico" in challenge.text
    assert (
        challenge.value
        > {r.signal: r for r in turin_s.reasons}.get("challenge", challenge).value - 1
    )
    assert challenge.value > next(
        (r.value for r in turin_s.reasons if r.signal == "challenge"), 0.0
    )


def test_filters(network):
    lyon = network["lyon"]
    only = lambda **kw: ids(  # noqa: E731
        engine.suggest_for_organisation(
            lyon.pk, mode="partners", k=20, filters=engine.MatchFilters(**kw)
        )
    )
    assert only(countries=("SEN",)) == [network["dakar"].pk]
    assert set(only(regions=("002",))) == {network[k].pk for k in ("dakar", "bamako", "abidjan")}
    assert set(only(south_only=True)) == {network[k].pk for k in ("dakar", "bamako", "abidjan")}
    assert set(only(languages=("es",))) == {network["madrid"].pk}
    big = only(min_population=2_000_000)
    assert network["madrid"].pk in big and network["turin"].pk not in big
    assert only(actor_types=(ActorType.NGO,)) == []


def test_errors(network):
    with pytest.raises(NotFound):
        engine.suggest_for_organisation(999_999)
    with pytest.raises(ApplicationError) as raised:
        engine.suggest_for_organisation(network["lyon"].pk, mode="nearby")
    assert raised.value.field == "mode"
    with pytest.raises(ApplicationError) as raised:
        engine.suggest_for_organisation(network["lyon"].pk, k=0)
    assert raised.value.field == "k"
    with pytest.raises(ApplicationError) as raised:
        engine.suggest_for_challenge("   ")
    assert raised.value.field == "q"


def test_challenge_in_another_language_finds_peers_and_published_practices(network):
    dakar, madrid = network["dakar"], network["madrid"]
    ProfileItemFactory(
        organisation=madrid,
        theme=theme("waste"),
        text="La recogida de residuos en barrios informales.",
    )
    ProfileItemFactory(organisation=dakar, theme=theme("culture"), text="Un festival de musique.")
    published = PracticeFactory(
        title="Door-to-door waste collection by neighbourhood groups", owner=dakar
    )
    draft = PracticeFactory(
        title="Waste collection in informal neighbourhoods (draft)",
        status=PracticeStatus.DRAFT,
        owner=dakar,
    )
    result = engine.suggest_for_challenge(
        "Collecte des déchets dans les quartiers informels", mode="peers", k=5
    )
    assert result.peers[0].organisation_id == madrid.pk
    practice_ids = [p.practice_id for p in result.practices]
    assert practice_ids[0] == published.pk
    assert draft.pk not in practice_ids
    practice_id, score, reasons = result.practices[0]
    assert score > 0 and reasons[0].text.startswith("Addresses the challenge")
    # With a requester: itself and its partners are ruled out.
    result = engine.suggest_for_challenge(
        "Collecte des déchets", mode="partners", k=8, requester_id=network["bamako"].pk
    )
    assert network["bamako"].pk not in ids(result.peers)
    assert dakar.pk not in ids(result.peers)


def test_snapshot_follows_the_database(network):
    first = snapshot.current()
    assert snapshot.current() is first
    PartnershipFactory(members=[network["lyon"], network["madrid"]])
    second = snapshot.current()
    assert second is not first
    # One more partnership: the graph is rebuilt, the fitted link model kept.
    assert second.partners.neighbours(second.position[network["lyon"].pk]).size == 2
    assert second.model is first.model and second.model_edges == first.model_edges
    found = engine.suggest_for_organisation(network["lyon"].pk, mode="partners", k=7)
    assert network["madrid"].pk not in ids(found)
    snapshot.bump_version()
    assert snapshot.current() is not second
