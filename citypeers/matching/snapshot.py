"""The engine's in-memory snapshot of the platform: the cooperation graph and the text vectors.

A :class:`Snapshot` is built from the database in one pass (a handful of queries, no per-row
query) and kept per process. Each request compares the snapshot's *stamp* with the database's —
one query over counts and largest ids of the tables the engine reads, plus a version number that
the directory, partnerships and knowledge apps bump through their ``AFTER_SAVED`` callbacks (for
changes that leave counts alone, such as a declined partnership) — and rebuilds only when they
differ. The stamp check runs at most every :data:`CHECK_SECONDS` per process. A rebuild runs in a
background thread while the previous snapshot keeps serving requests (see :func:`current`).

Nodes are organisations; edges are pairs of accepted members of a partnership that was not
declined (weight 1 for two members, less in large consortia, adding up over partnerships) and
current memberships (weight :data:`MEMBERSHIP_WEIGHT`). Nothing private enters: declined
partnerships, unanswered invitations and unpublished practices are left out.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q

from citypeers.directory.models import Membership, Organisation, ProfileItem, Theme
from citypeers.knowledge.models import Practice, PracticeOrganisation
from citypeers.partnerships.models import PartnershipMember, Status

from . import vectors
from .features import LinkModel, Network, Nodes, fit_conditional_logit, training_groups
from .graph import Graph
from .prior import PRIOR

if TYPE_CHECKING:
    from numpy.typing import NDArray

MEMBERSHIP_WEIGHT = 0.5
CHECK_SECONDS = 2.0
VERSION_KEY = "matching:graph-version"
TRAINING_QUERIES = 800  # training queries of the link model fitted at build
MIN_TRAINING_EDGES = 50  # below this, the prior weights are used as they are
PRIOR_PULL = 20.0  # L2 pull of a network's own fit towards the prior weights
REFIT_CHANGE = 0.1  # refit the link model when partnership pairs changed by more than this

_lock = threading.Lock()  # held while a snapshot is built
_state_lock = threading.Lock()  # held while the rebuild thread is started
_current: dict[str, Any] = {"snapshot": None, "checked": 0.0, "thread": None}
logger = logging.getLogger(__name__)


@dataclass
class TextItems:
    """Texts of one kind (challenges, expertise, practices) as unit vectors, with their owner
    node(s), theme ids and what the reasons quote."""

    vectors: NDArray[np.float32]
    owner: NDArray[np.int64]  # node of each row (practices: one row per owning organisation)
    themes: list[tuple[int, ...]]
    text: list[str]
    ref: list[int]  # ProfileItem or Practice id

    @classmethod
    def empty(cls) -> TextItems:
        return cls(
            np.zeros((0, vectors_dim()), dtype=np.float32), np.zeros(0, np.int64), [], [], []
        )

    def rows_of(self, node: int) -> NDArray[np.int64]:
        return np.flatnonzero(self.owner == node)


def vectors_dim() -> int:
    from citypeers.knowledge.encoder import DIMENSIONS

    return DIMENSIONS


@dataclass
class Snapshot:
    stamp: tuple[Any, ...]
    ids: NDArray[np.int64]  # node → organisation id
    position: dict[int, int]  # organisation id → node
    names: list[str]
    slugs: list[str]
    iso3: NDArray[np.str_]
    region: NDArray[np.str_]
    subregion: NDArray[np.str_]
    intermediate: NDArray[np.str_]
    actor_type: NDArray[np.str_]
    languages: list[tuple[str, ...]]
    network: Network
    partners: Graph  # partnerships only: who is already a partner of whom
    memberships: Graph  # current memberships: who is already a member of whom
    model: LinkModel
    challenges: TextItems
    expertise: TextItems
    practices: TextItems
    themes: dict[int, Theme] = field(default_factory=dict)
    # Filled lazily by the engine, once per snapshot: pools of candidates per mode, countries.
    pools: dict[str, NDArray[np.int64]] = field(default_factory=dict)
    countries: dict[str, Any] = field(default_factory=dict)
    built_at: float = 0.0
    build_seconds: float = 0.0
    training_queries: int = 0
    model_edges: int = 0  # partnership pairs the link model was fitted on

    @property
    def nodes(self) -> Nodes:
        return self.network.nodes

    @property
    def graph(self) -> Graph:
        return self.network.graph


# --- stamp and cache ---------------------------------------------------------------------------


def bump_version(*_ids: Any) -> None:
    """Mark the snapshot stale in every process sharing the cache (an ``AFTER_SAVED`` callback)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)
    _current["checked"] = 0.0


def database_stamp() -> tuple[Any, ...]:
    """Counts and largest ids of the tables the snapshot reads, and the shared version."""
    tables = [
        Organisation._meta.db_table,
        PartnershipMember._meta.db_table,
        Membership._meta.db_table,
        ProfileItem._meta.db_table,
        Practice._meta.db_table,
        PracticeOrganisation._meta.db_table,
    ]
    parts = ", ".join(
        # Only the model table names above are interpolated.
        f"(SELECT COUNT(*) FROM {t}), (SELECT MAX(id) FROM {t})"  # noqa: S608  # nosec B608
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return (cache.get(VERSION_KEY, 0), connection.alias, *row)


def current() -> Snapshot:
    """The snapshot of this process, kept fresh with the database.

    The first snapshot of a process is built in the request that needs it. After that, a
    request that finds the stamp changed starts one rebuild in a background thread and is
    served from the previous snapshot, as are the requests that come while the rebuild runs;
    the new snapshot replaces it when ready. Inside a transaction (a test's, or a view's own
    atomic block) another connection might not see what this one sees, so the rebuild runs in
    the request instead, as it does when ``CITYPEERS_MATCHING_BACKGROUND_REBUILD`` is false.
    """
    now = time.monotonic()
    interval = float(getattr(settings, "CITYPEERS_MATCHING_CHECK_SECONDS", CHECK_SECONDS))
    snap: Snapshot | None = _current["snapshot"]
    if snap is not None and now - _current["checked"] < interval:
        return snap
    stamp = database_stamp()
    if snap is not None and snap.stamp == stamp:
        _current["checked"] = now
        return snap
    if snap is not None and _in_background():
        _start_rebuild()
        _current["checked"] = now
        return snap
    with _lock:
        snap = _current["snapshot"]
        if snap is None or snap.stamp != stamp:
            snap = build(stamp, previous=snap)
            _current["snapshot"] = snap
        _current["checked"] = time.monotonic()
    return snap


def _in_background() -> bool:
    return bool(getattr(settings, "CITYPEERS_MATCHING_BACKGROUND_REBUILD", True)) and not (
        connection.in_atomic_block
    )


def _start_rebuild() -> None:
    """Start the rebuild thread, unless one is running already."""
    with _state_lock:
        running: threading.Thread | None = _current["thread"]
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(target=_rebuild, name="matching-snapshot", daemon=True)
        _current["thread"] = thread
        thread.start()


def _rebuild() -> None:
    """The body of the rebuild thread: it reads the stamp itself (a change made during the
    build is caught by the next check), builds on its own connection and closes it."""
    try:
        with _lock:
            stamp = database_stamp()
            previous: Snapshot | None = _current["snapshot"]
            if previous is None or previous.stamp != stamp:
                _current["snapshot"] = build(stamp, previous=previous)
            _current["checked"] = time.monotonic()
    except Exception:  # the previous snapshot keeps serving; the next check tries again
        logger.exception("Rebuilding the matching snapshot failed")
        _current["checked"] = 0.0
    finally:
        connection.close()


def rebuilding() -> bool:
    """Whether a background rebuild is running in this process."""
    running: threading.Thread | None = _current["thread"]
    return running is not None and running.is_alive()


def wait_for_rebuild(timeout: float | None = None) -> bool:
    """Wait for the background rebuild, if one runs; ``False`` if it still runs after
    ``timeout`` seconds."""
    running: threading.Thread | None = _current["thread"]
    if running is not None:
        running.join(timeout)
        return not running.is_alive()
    return True


def invalidate() -> None:
    """Forget this process's snapshot (tests; after a bulk import), after any rebuild that
    runs has finished."""
    wait_for_rebuild()
    with _lock:
        _current["snapshot"] = None
        _current["checked"] = 0.0


# --- building ----------------------------------------------------------------------------------


def build(stamp: tuple[Any, ...] | None = None, previous: Snapshot | None = None) -> Snapshot:
    """The snapshot of the database now. The link model of ``previous`` is kept while the
    number of partnership pairs stays within :data:`REFIT_CHANGE` of the number it was fitted
    on: fitting is most of a build, and a few new partnerships do not change what it learned."""
    started = time.perf_counter()
    stamp = stamp if stamp is not None else database_stamp()
    rows = list(
        Organisation.objects.order_by("pk").values_list(
            "pk",
            "name",
            "slug",
            "actor_type",
            "country__iso3",
            "country__region__m49",
            "country__subregion__m49",
            "country__intermediate_region__m49",
            "country__global_south",
            "population_served",
            "city__population",
            "languages",
            "city__latitude",
            "city__longitude",
            "city__name",
        )
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    position = {int(pk): i for i, pk in enumerate(ids)}
    n = len(rows)
    nodes = Nodes.build(
        lat=[r[12] for r in rows],
        lng=[r[13] for r in rows],
        country=[r[4] for r in rows],
        subregion=[r[7] or r[6] for r in rows],
        south=[r[8] for r in rows],
        population=[r[9] or r[10] or None for r in rows],
        actor=[r[3] for r in rows],
        languages=[tuple(r[11] or ()) for r in rows],
        names=[_name_key(r[14] or r[1]) for r in rows],
    )

    # Partnerships: every pair of accepted members of a partnership that was not declined.
    members: dict[int, list[int]] = defaultdict(list)
    for partnership_id, organisation_id in (
        PartnershipMember.objects.filter(accepted=True)
        .exclude(partnership__status=Status.DECLINED)
        .values_list("partnership_id", "organisation_id")
        .iterator(chunk_size=20000)
    ):
        node = position.get(organisation_id)
        if node is not None:
            members[partnership_id].append(node)
    pa: list[int] = []
    pb: list[int] = []
    pw: list[float] = []
    for group in members.values():
        if len(group) < 2:
            continue
        weight = 1.0 / (len(group) - 1)
        for i, x in enumerate(group):
            for y in group[i + 1 :]:
                pa.append(x)
                pb.append(y)
                pw.append(weight)
    partners = Graph.from_edges(n, pa, pb, [1.0] * len(pa))
    today = dt.date.today()
    ma: list[int] = []
    mb: list[int] = []
    for member_id, parent_id in Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    ).values_list("member_id", "parent_id"):
        if member_id in position and parent_id in position:
            ma.append(position[member_id])
            mb.append(position[parent_id])
    memberships = Graph.from_edges(n, ma, mb)
    a = np.array(pa + ma, dtype=np.int64)
    b = np.array(pb + mb, dtype=np.int64)
    w = np.array(pw + [MEMBERSHIP_WEIGHT] * len(ma), dtype=np.float64)
    graph = Graph.from_edges(n, a, b, w)
    network = Network(graph, nodes)

    prior = LinkModel.from_dict(PRIOR)
    model = prior or LinkModel.neutral()
    training = 0
    model_edges = len(pa)
    if previous is not None and abs(len(pa) - previous.model_edges) <= REFIT_CHANGE * max(
        previous.model_edges, MIN_TRAINING_EDGES
    ):
        model = previous.model
        training = previous.training_queries
        model_edges = previous.model_edges
    elif len(pa) >= MIN_TRAINING_EDGES:
        groups = training_groups(
            n,
            nodes,
            (np.array(pa, dtype=np.int64), np.array(pb, dtype=np.int64), np.ones(len(pa))),
            rng=np.random.default_rng(0),
            max_queries=TRAINING_QUERIES,
        )
        training = len(groups)
        if any(y.any() for _x, y in groups):
            model = fit_conditional_logit(groups, prior=prior, l2=PRIOR_PULL if prior else 1.0)

    challenges, expertise = _profile_items(position)
    practices = _practices(position)
    themes = {t.pk: t for t in Theme.objects.all()}
    return Snapshot(
        stamp=stamp,
        ids=ids,
        position=position,
        names=[r[1] for r in rows],
        slugs=[r[2] for r in rows],
        iso3=np.array([r[4] or "" for r in rows], dtype=object).astype(str),
        region=np.array([r[5] or "" for r in rows], dtype=object).astype(str),
        subregion=np.array([r[6] or "" for r in rows], dtype=object).astype(str),
        intermediate=np.array([r[7] or "" for r in rows], dtype=object).astype(str),
        actor_type=np.array([r[3] or "" for r in rows], dtype=object).astype(str),
        languages=[tuple(r[11] or ()) for r in rows],
        network=network,
        partners=partners,
        memberships=memberships,
        model=model,
        challenges=challenges,
        expertise=expertise,
        practices=practices,
        themes=themes,
        built_at=time.time(),
        build_seconds=time.perf_counter() - started,
        training_queries=training,
        model_edges=model_edges,
    )


def _name_key(name: str) -> str:
    from citypeers.core.text import fold

    return fold(name)


def _profile_items(position: dict[int, int]) -> tuple[TextItems, TextItems]:
    rows = list(
        ProfileItem.objects.order_by("pk").values_list(
            "pk", "organisation_id", "kind", "theme_id", "text"
        )
    )
    out = []
    for kind in (ProfileItem.Kind.CHALLENGE, ProfileItem.Kind.EXPERTISE):
        chosen = [r for r in rows if r[2] == kind and r[1] in position]
        texts = [r[4] for r in chosen]
        out.append(
            TextItems(
                vectors=vectors.vectors(texts),
                owner=np.array([position[r[1]] for r in chosen], dtype=np.int64),
                themes=[(r[3],) for r in chosen],
                text=texts,
                ref=[r[0] for r in chosen],
            )
        )
    return out[0], out[1]


def practice_embedding_text(title: str, summary: str, challenges: str) -> str:
    return "\n".join(part for part in (title, summary, challenges) if part)


def _practices(position: dict[int, int]) -> TextItems:
    practices = list(
        Practice.objects.published()
        .order_by("pk")
        .prefetch_related("texts", "themes", "organisation_roles")
    )
    texts: list[str] = []
    titles: list[str] = []
    owners: list[tuple[int, ...]] = []
    themes: list[tuple[int, ...]] = []
    refs: list[int] = []
    for practice in practices:
        original = practice.original_text
        if original is None:
            continue
        nodes = {position[practice.owner_id]} if practice.owner_id in position else set()
        nodes |= {
            position[r.organisation_id]
            for r in practice.organisation_roles.all()
            if r.organisation_id in position
        }
        texts.append(practice_embedding_text(original.title, original.summary, original.challenges))
        titles.append(original.title)
        owners.append(tuple(sorted(nodes)))
        themes.append(tuple(t.pk for t in practice.themes.all()))
        refs.append(practice.pk)
    matrix = vectors.vectors(texts)
    # One row per practice; ``owner`` repeats a practice for each organisation behind it.
    rows = [(i, node) for i, nodes in enumerate(owners) for node in (nodes or (-1,))]
    index = np.array([i for i, _node in rows], dtype=np.int64)
    return TextItems(
        vectors=matrix[index] if len(index) else matrix[:0],
        owner=np.array([node for _i, node in rows], dtype=np.int64),
        themes=[themes[i] for i in index.tolist()],
        text=[titles[i] for i in index.tolist()],
        ref=[refs[i] for i in index.tolist()],
    )
