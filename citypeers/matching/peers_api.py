"""API of peer suggestions: ``GET /organisations/{id}/peers`` and ``/matching/challenge``.

Both are public reads: organisations are public, and the engine reads only what everyone may see
(partnerships not declined, accepted members, published practices). A wrong mode, ``k`` or
filter is a 400 naming the field; an unknown organisation a 404.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from citypeers.directory.models import Organisation

from . import engine, peers

router = Router(tags=["matching"])


def _enum(values: list[str] | tuple[str, ...]) -> dict[str, Any]:
    return {"enum": list(values)}


class PeerFilters(Schema):
    region: list[str] = Field([], description="UN M49 codes at any level (repeat the parameter).")
    country: list[str] = Field([], description="ISO 3166-1 alpha-3 codes.")
    south_only: bool = Field(False, description="Only organisations in the Global South.")
    min_population: int | None = Field(None, ge=0)
    max_population: int | None = Field(None, ge=0)
    actor_type: list[str] = Field([], description="Actor types (see /organisations).")
    language: list[str] = Field([], description="Languages of work (ISO 639-1).")

    def to_filters(self) -> engine.MatchFilters:
        return engine.MatchFilters(
            regions=tuple(self.region),
            countries=tuple(c.upper() for c in self.country),
            south_only=self.south_only,
            min_population=self.min_population,
            max_population=self.max_population,
            actor_types=tuple(self.actor_type),
            languages=tuple(self.language),
        )


class PeersQuery(PeerFilters):
    mode: str = Field("peers", json_schema_extra=_enum(engine.MODES))
    k: int = Field(10, description=f"How many suggestions (1–{engine.K_MAX}).")
    pair_with: int | None = Field(
        None, description="Triangular mode: id of the requester's Southern partner."
    )
    include_excluded: bool = Field(
        False, description="Also list the organisations ruled out (current partners)."
    )


class PeerReasonOut(Schema):
    signal: str = Field(description="network, country_pair, distance, size, challenge, …")
    value: float = Field(description="The signal's raw value (km, count, similarity, …).")
    contribution: float = Field(description="What the signal adds to the score.")
    text: str = Field(description="The reason in words and figures, in the reader's language.")


class PeerOrganisationOut(Schema):
    id: int
    slug: str
    name: str
    actor_type: str
    country: str | None = Field(description="ISO 3166-1 alpha-3 code.")
    url: str

    @staticmethod
    def resolve_country(obj: Organisation) -> str | None:
        return obj.country.iso3 if obj.country else None

    @staticmethod
    def resolve_url(obj: Organisation) -> str:
        return obj.get_absolute_url()


class PeerSuggestionOut(Schema):
    rank: int
    score: float
    excluded: bool = Field(description="Ruled out (already a partner); listed on request only.")
    organisation: PeerOrganisationOut
    reasons: list[PeerReasonOut]


class PeersOut(Schema):
    organisation: PeerOrganisationOut
    mode: str
    count: int
    items: list[PeerSuggestionOut]


class ChallengeIn(PeerFilters):
    text: str = Field(description="The challenge, in any language; at most 5,000 characters.")
    mode: str = Field("peers", json_schema_extra=_enum(engine.MODES))
    k: int = Field(10, description=f"How many peers and practices (1–{engine.K_MAX}).")
    requester_id: int | None = Field(
        None, description="Id of the organisation asking: rules out it and its partners."
    )


class ChallengeQuery(PeerFilters):
    q: str = Field(description="The challenge, in any language.")
    mode: str = Field("peers", json_schema_extra=_enum(engine.MODES))
    k: int = 10
    requester_id: int | None = None


class ChallengePracticeOut(Schema):
    id: int
    slug: str
    title: str = Field(description="In the reader's language when translated, else the original.")
    url: str
    score: float
    reasons: list[PeerReasonOut]


class ChallengeOut(Schema):
    mode: str
    peers: list[PeerSuggestionOut]
    practices: list[ChallengePracticeOut]


def _suggestions_out(items: list[peers.PeerItem]) -> list[dict[str, Any]]:
    return [
        {
            "rank": item.rank,
            "score": item.suggestion.score,
            "excluded": item.suggestion.excluded,
            "organisation": item.organisation,
            "reasons": item.reasons,
        }
        for item in items
    ]


@router.get(
    "/organisations/{organisation_id}/peers",
    response=PeersOut,
    summary="Peers suggested for an organisation, with their reasons",
)
def organisation_peers(
    request: HttpRequest, organisation_id: int, query: Query[PeersQuery]
) -> dict[str, Any]:
    suggestions = engine.suggest_for_organisation(
        organisation_id,
        mode=query.mode,
        k=query.k,
        filters=query.to_filters(),
        pair_with=query.pair_with,
        include_excluded=query.include_excluded,
    )
    organisation = peers.organisations_in_bulk([organisation_id])[organisation_id]
    items = _suggestions_out(peers.peer_items(suggestions))
    return {
        "organisation": organisation,
        "mode": engine.check_mode(query.mode),
        "count": sum(1 for i in items if not i["excluded"]),
        "items": items,
    }


def _challenge(
    text: str, mode: str, k: int, filters: engine.MatchFilters, requester: int | None
) -> dict[str, Any]:
    result = engine.suggest_for_challenge(
        text, mode=mode, k=k, filters=filters, requester_id=requester
    )
    practices = [
        {
            "id": p.practice.pk,
            "slug": p.practice.slug,
            "title": p.title,
            "url": p.practice.get_absolute_url(),
            "score": p.score,
            "reasons": p.reasons,
        }
        for p in peers.practice_items(result.practices)
    ]
    return {
        "mode": engine.check_mode(mode),
        "peers": _suggestions_out(peers.peer_items(result.peers)),
        "practices": practices,
    }


@router.post(
    "/matching/challenge",
    response=ChallengeOut,
    summary="Peers who faced a challenge, and practices that address it",
)
def challenge_post(request: HttpRequest, payload: ChallengeIn) -> dict[str, Any]:
    return _challenge(
        payload.text, payload.mode, payload.k, payload.to_filters(), payload.requester_id
    )


@router.get(
    "/matching/challenge",
    response=ChallengeOut,
    summary="Peers who faced a challenge, and practices that address it (query string)",
)
def challenge_get(request: HttpRequest, query: Query[ChallengeQuery]) -> dict[str, Any]:
    return _challenge(query.q, query.mode, query.k, query.to_filters(), query.requester_id)
