"""The derived geography of a partnership, from its members' countries. Never typed by hand.

Each member is *Southern* (its country is Global South), *Northern* (Global North), *beyond the
South without a country* (an international organisation or network with no country: it is not a
Southern local actor), or *unknown* (a country no classification source covers). Then, in order:

1. **triangular** — at least two Southern members and at least one member or facilitator from
   beyond the South (Northern, or without a country);
2. **south_south** — at least two Southern members and nobody from beyond the South;
3. **north_south** — exactly one Southern member and at least one from beyond the South;
4. **north_north** — no Southern member and at least two Northern members;
5. **unclassified** — anything else: fewer than two members we can place (unknown countries are
   not counted).

A partnership whose members are all in one country is classified the same way, and flagged
``single_country`` so that counts of international cooperation can leave it out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MemberPlace:
    country_id: int | None
    global_south: bool | None


def classify(members: Iterable[MemberPlace]) -> tuple[str, bool]:
    """Return (geography, single_country) for the given members."""
    members = list(members)
    south = sum(1 for m in members if m.country_id is not None and m.global_south is True)
    north = sum(1 for m in members if m.country_id is not None and m.global_south is False)
    stateless = sum(1 for m in members if m.country_id is None)
    beyond = north + stateless
    countries = {m.country_id for m in members if m.country_id is not None}
    single_country = len(members) >= 2 and stateless == 0 and len(countries) == 1
    if south >= 2 and beyond >= 1:
        return "triangular", single_country
    if south >= 2:
        return "south_south", single_country
    if south == 1 and beyond >= 1:
        return "north_south", single_country
    if south == 0 and north >= 2:
        return "north_north", single_country
    return "unclassified", single_country
