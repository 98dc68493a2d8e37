"""Building and maintaining the search documents of practices, organisations and partnerships.

:func:`index_objects` is the one write path: it turns objects into documents (one per language),
writes only what changed (an unchanged text keeps its stored embedding, so a second run encodes
nothing and writes nothing: it is idempotent), deletes the documents of objects that are gone or
no longer public, and brings the ANN index in step. Only public objects are indexed: published
practices (never drafts, submitted or archived ones), every organisation, every partnership except
declined proposals. The lexical index follows the ``SearchDocument`` table by itself (database
triggers, see the migrations).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction

from citypeers.knowledge import encoder

from . import semantic
from .models import DocType, SearchDocument, codes

#: How much of a document the embedding reads: title, summary, then the start of the body.
EMBED_CHARS = 1200
BODY_FIELDS = ("context", "objectives", "results", "challenges", "lessons")
BATCH_SIZE = 256
TYPES = tuple(DocType.values)


@dataclass
class Doc:
    language: str
    title: str
    body: str
    embed_text: str
    external_id: str = ""
    url: str = ""
    themes: str = ""
    sdgs: str = ""
    countries: str = ""
    regions: str = ""
    south: bool | None = None
    date: Any = None


@dataclass
class IndexReport:
    objects: int = 0
    documents: int = 0
    encoded: int = 0
    deleted: int = 0
    seconds: float = 0.0
    per_type: dict[str, int] = field(default_factory=dict)


def _country_facts(countries: Iterable[Any]) -> tuple[str, str, bool | None]:
    iso3: list[str] = []
    regions: list[str] = []
    south: list[bool | None] = []
    for country in countries:
        if country is None or country.iso3 in iso3:
            continue
        iso3.append(country.iso3)
        for region in (country.region, country.subregion, country.intermediate_region):
            if region is not None and region.m49 not in regions:
                regions.append(region.m49)
        south.append(country.global_south)
    if any(s is True for s in south):
        is_south: bool | None = True
    elif south and all(s is False for s in south):
        is_south = False
    else:
        is_south = None
    return codes(iso3), codes(regions), is_south


def _embed_text(title: str, summary: str, body: str) -> str:
    return f"{title}. {summary}\n{body}"[:EMBED_CHARS]


_COUNTRY = ("region", "subregion", "intermediate_region")


def _practice_docs(ids: Sequence[int]) -> dict[int, list[Doc]]:
    from citypeers.knowledge.models import Practice, Status

    country_rel = [f"country__{r}" for r in _COUNTRY]
    out: dict[int, list[Doc]] = {}
    practices = (
        Practice.objects.filter(pk__in=ids, status=Status.PUBLISHED)
        .select_related(*country_rel, "city")
        .prefetch_related("texts", "themes", "sdgs")
    )
    for practice in practices:
        countries, regions, south = _country_facts([practice.country])
        date = practice.period_start or (
            practice.published_at.date() if practice.published_at else None
        )
        common: dict[str, Any] = {
            "external_id": practice.external_id,
            "url": practice.get_absolute_url(),
            "themes": codes(t.slug for t in practice.themes.all()),
            "sdgs": codes(s.number for s in practice.sdgs.all()),
            "countries": countries,
            "regions": regions,
            "south": south,
            "date": date,
        }
        docs = []
        for text in practice.texts.all():
            body = "\n\n".join(getattr(text, name) for name in BODY_FIELDS if getattr(text, name))
            full = f"{text.summary}\n\n{body}".strip()
            docs.append(
                Doc(
                    language=text.language,
                    title=text.title,
                    body=full,
                    embed_text=_embed_text(text.title, text.summary, body),
                    **common,
                )
            )
        out[practice.pk] = docs
    return out


def _descriptions(descriptions: Any, original_language: str) -> dict[str, str]:
    found = {
        str(lang): str(text)
        for lang, text in (descriptions or {}).items()
        if isinstance(text, str) and text.strip()
    }
    return found or {original_language or "en": ""}


def _organisation_docs(ids: Sequence[int]) -> dict[int, list[Doc]]:
    from citypeers.directory.models import Organisation

    out: dict[int, list[Doc]] = {}
    organisations = (
        Organisation.objects.filter(pk__in=ids)
        .select_related(*[f"country__{r}" for r in _COUNTRY], "city__country")
        .prefetch_related("themes", "sdgs")
    )
    for org in organisations:
        country = org.country or (org.city.country if org.city else None)
        countries, regions, south = _country_facts([country])
        place = ", ".join(
            p
            for p in (org.acronym, org.city.name if org.city else "", country and country.name_en)
            if p
        )
        common: dict[str, Any] = {
            "external_id": org.external_id,
            "url": org.get_absolute_url(),
            "themes": codes(t.slug for t in org.themes.all()),
            "sdgs": codes(s.number for s in org.sdgs.all()),
            "countries": countries,
            "regions": regions,
            "south": south,
            "date": org.created_at.date() if org.created_at else None,
        }
        out[org.pk] = [
            Doc(
                language=lang,
                title=org.name,
                body=f"{text}\n\n{place}".strip(),
                embed_text=_embed_text(org.name, text, ""),
                **common,
            )
            for lang, text in _descriptions(org.descriptions, org.original_language).items()
        ]
    return out


def _partnership_docs(ids: Sequence[int]) -> dict[int, list[Doc]]:
    from citypeers.partnerships.models import Partnership

    out: dict[int, list[Doc]] = {}
    partnerships = (
        Partnership.objects.visible()
        .filter(pk__in=ids)
        .prefetch_related(
            "themes",
            "sdgs",
            "objectives",
            *[f"members__organisation__country__{r}" for r in _COUNTRY],
            "members__organisation__city__country",
        )
    )
    for partnership in partnerships:
        members = [m.organisation for m in partnership.members.all()]
        member_countries = [o.country or (o.city.country if o.city else None) for o in members]
        countries, regions, south = _country_facts(member_countries)
        names = ", ".join(o.name for o in members)
        objectives = "\n".join(o.text for o in partnership.objectives.all())
        common: dict[str, Any] = {
            "external_id": partnership.external_id,
            "url": partnership.get_absolute_url(),
            "themes": codes(t.slug for t in partnership.themes.all()),
            "sdgs": codes(s.number for s in partnership.sdgs.all()),
            "countries": countries,
            "regions": regions,
            "south": south,
            "date": partnership.started_on,
        }
        out[partnership.pk] = [
            Doc(
                language=lang,
                title=partnership.title,
                body="\n\n".join(p for p in (text, objectives, names) if p),
                embed_text=_embed_text(partnership.title, text, objectives),
                **common,
            )
            for lang, text in _descriptions(
                partnership.descriptions, partnership.original_language
            ).items()
        ]
    return out


BUILDERS = {
    DocType.PRACTICE: _practice_docs,
    DocType.ORGANISATION: _organisation_docs,
    DocType.PARTNERSHIP: _partnership_docs,
}
FACT_FIELDS = (
    "external_id",
    "url",
    "themes",
    "sdgs",
    "countries",
    "regions",
    "south",
    "date",
)


def index_objects(
    doc_type: str, ids: Sequence[int], *, save_ann: bool = True, report: IndexReport | None = None
) -> int:
    """Bring the documents of these objects in step with them; return how many they have now."""
    if doc_type not in BUILDERS:
        raise ValueError(f"unknown document type {doc_type!r}")
    ids = list(dict.fromkeys(int(i) for i in ids))
    built = BUILDERS[doc_type](ids)  # type: ignore[index]
    existing = {
        (d.object_id, d.language): d
        for d in SearchDocument.objects.filter(doc_type=doc_type, object_id__in=ids)
    }
    wanted = {(oid, doc.language): doc for oid, docs in built.items() for doc in docs}
    to_encode: list[tuple[int, str]] = []
    for key, doc in wanted.items():
        old = existing.get(key)
        if old is None or old.title != doc.title or old.body != doc.body or not old.embedding:
            to_encode.append(key)
    vectors = encoder.encode([wanted[k].embed_text for k in to_encode])
    vector_of = {k: vectors[i] for i, k in enumerate(to_encode)}

    creates: list[SearchDocument] = []
    updates: list[SearchDocument] = []
    ann_keys: list[int] = []
    ann_vectors: list[Any] = []
    for key, doc in wanted.items():
        old = existing.get(key)
        values = {
            "title": doc.title[:300],
            "body": doc.body,
            **{name: getattr(doc, name) for name in FACT_FIELDS},
        }
        if key in vector_of:
            values["embedding"] = semantic.to_bytes(vector_of[key])
        if old is None:
            creates.append(
                SearchDocument(doc_type=doc_type, object_id=key[0], language=key[1], **values)
            )
        elif any(
            (bytes(getattr(old, n)) if n == "embedding" else getattr(old, n)) != v
            for n, v in values.items()
        ):
            for name, value in values.items():
                setattr(old, name, value)
            updates.append(old)
            if key in vector_of:
                ann_keys.append(old.pk)
                ann_vectors.append(vector_of[key])
    gone = [d.pk for k, d in existing.items() if k not in wanted]
    with transaction.atomic():
        if gone:
            SearchDocument.objects.filter(pk__in=gone).delete()
        for doc_obj in updates:  # few: only documents whose text or facts changed
            doc_obj.save()
        if creates:
            SearchDocument.objects.bulk_create(creates, batch_size=500)
    if creates and creates[0].pk is None:  # a backend that does not return ids on bulk insert
        pk_of = {
            (oid, lang): pk
            for pk, oid, lang in SearchDocument.objects.filter(
                doc_type=doc_type, object_id__in=ids
            ).values_list("pk", "object_id", "language")
        }
        for doc_obj in creates:
            doc_obj.pk = pk_of[(doc_obj.object_id, doc_obj.language)]
    for doc_obj in creates:
        key = (doc_obj.object_id, doc_obj.language)
        ann_keys.append(doc_obj.pk)
        ann_vectors.append(vector_of[key])
    if ann_keys or gone:
        if gone:
            semantic.remove(gone, save=False)
        if ann_keys:
            semantic.upsert(ann_keys, np.stack(ann_vectors), save=False)
        if save_ann:
            semantic.save()
    if report is not None:
        report.objects += len(ids)
        report.documents += len(wanted)
        report.encoded += len(to_encode)
        report.deleted += len(gone)
        report.per_type[doc_type] = report.per_type.get(doc_type, 0) + len(wanted)
    return len(wanted)


def _object_ids(doc_type: str) -> Iterator[list[int]]:
    from citypeers.directory.models import Organisation
    from citypeers.knowledge.models import Practice
    from citypeers.partnerships.models import Partnership

    querysets: dict[str, Any] = {
        DocType.PRACTICE: Practice.objects.published(),
        DocType.ORGANISATION: Organisation.objects.all(),
        DocType.PARTNERSHIP: Partnership.objects.visible(),
    }
    ids = list(querysets[doc_type].order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        yield ids[start : start + BATCH_SIZE]


def reindex(types: Sequence[str] = TYPES, *, rebuild_ann: bool = True) -> IndexReport:
    """Index every public object of ``types`` and drop the documents of all others.

    Unchanged documents are neither re-encoded nor rewritten, so a second run is cheap and
    changes nothing. The ANN index is rebuilt from the stored vectors at the end (it then holds
    exactly the documents of the table, whatever happened to the file before).
    """
    started = time.perf_counter()
    report = IndexReport()
    for doc_type in types:
        seen: set[int] = set()
        for batch in _object_ids(doc_type):
            seen.update(batch)
            index_objects(doc_type, batch, save_ann=False, report=report)
        stale_ids = [
            pk
            for pk, oid in SearchDocument.objects.filter(doc_type=doc_type).values_list(
                "pk", "object_id"
            )
            if oid not in seen
        ]
        for start in range(0, len(stale_ids), 5000):
            chunk = stale_ids[start : start + 5000]
            report.deleted += SearchDocument.objects.filter(pk__in=chunk).delete()[0]
    if rebuild_ann:
        rebuild_ann_index()
    else:
        semantic.save()
    report.seconds = time.perf_counter() - started
    return report


def rebuild_ann_index() -> int:
    """Rebuild the ANN index from the vectors stored in the table."""
    keys: list[int] = []
    chunks: list[Any] = []
    rows = SearchDocument.objects.order_by("pk").values_list("pk", "embedding")
    for pk, data in rows.iterator(chunk_size=2000):
        keys.append(pk)
        chunks.append(semantic.from_bytes(data))
    vectors = np.stack(chunks) if chunks else np.zeros((0, encoder.DIMENSIONS), np.float32)
    return semantic.rebuild(keys, vectors)
