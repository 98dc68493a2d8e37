"""Partnerships as IATI activity XML 2.03 (iatistandard.org), one ``iati-activity`` each, streamed.

The output validates against the official schema (``iati-activities-schema.xsd`` 2.03, tested
with lxml). The schema is a *sequence*, so the elements of an activity are written in its order:
identifier, reporting-org, title, descriptions, participating-orgs, status, dates, recipient
countries, sectors, tags, document links, results.

How CityPeers records map to IATI (see ``docs/import-export.md`` for the same table):

- ``iati-identifier``: ``CITYPEERS_IATI_ORG_ID`` + ``-`` + the partnership id; ``reporting-org``
  is the platform: ``ref`` ``CITYPEERS_IATI_ORG_ID`` (default ``XM-CITYPEERS``, a placeholder a
  publisher replaces with its registered organisation identifier), ``type``
  ``CITYPEERS_IATI_ORG_TYPE`` (default ``90`` Other), name ``CITYPEERS_IATI_ORG_NAME`` (default
  the site name).
- ``title``: the title, in the original language. ``description type="1"`` (General): one
  narrative per stored language, each with its ``xml:lang``; without any stored description a
  one-line summary (modality and members) in the active language, since the schema requires a
  description. ``description type="2"`` (Objectives): the objectives, in the original language.
- ``participating-org`` per *accepted* member (an invited organisation has not agreed to take
  part yet), ``role`` from :data:`ROLE_CODES`, ``type`` from :func:`organisation_type`.
- ``activity-status`` from :data:`STATUS_CODES`.
- ``activity-date``: the start as type 2 (actual start), or type 1 (planned start) when it lies
  in the future; a proposal with no start date gets its creation date as planned start (the
  schema requires one date). The end of an ended partnership as type 4 (actual end).
- ``recipient-country`` (ISO 3166-1 alpha-2) for each distinct country of a Global South member,
  with equal percentages summing to 100; none for a partnership without a Southern member.
- ``sector vocabulary="7"`` (SDG Goal) per SDG, code = goal number, percentages summing to 100.
- ``tag vocabulary="99"`` (reporting organisation) per CityPeers theme, code = theme slug.
- ``document-link`` (category A04, memorandum of understanding) per agreement with a link.
- ``result`` per result: type 2 (Outcome) when it is recorded against an objective, else 1
  (Output). Each indicator: ``measure`` 2 (Percentage) when its unit is ``%``, else 1 (Unit),
  the unit named in its description; ``baseline`` (year and date of the baseline, or of the
  partnership's start); one ``period`` from the baseline date (or the start) to the measurement
  date with ``target`` and ``actual``. A result without indicators gets one qualitative
  indicator (measure 5) of the same title, since the schema requires at least one.

An IATI file must hold at least one activity: an export matching no partnership is not valid
IATI (it is still well-formed XML).
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from citypeers.core.translation import active_language
from citypeers.directory.models import ActorType
from citypeers.partnerships.models import (
    Indicator,
    Modality,
    Partnership,
    PartnershipMember,
    Result,
    Status,
)

from .organisations import CHUNK

IATI_VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Member role → IATI OrganisationRole code.
ROLE_CODES: dict[str, str] = {
    PartnershipMember.Role.FUNDER: "1",  # Funding: provides the funds
    PartnershipMember.Role.LEAD: "2",  # Accountable: answers for the activity and its outcomes
    PartnershipMember.Role.FACILITATOR: "3",  # Extending: manages it for others (a third party)
    PartnershipMember.Role.PARTNER: "4",  # Implementing: carries it out
}

#: Partnership status → IATI ActivityStatus code.
STATUS_CODES: dict[str, str] = {
    Status.PROPOSED: "1",  # Pipeline/identification
    Status.ACTIVE: "2",  # Implementation
    Status.DORMANT: "6",  # Suspended: temporarily inactive, may resume
    # Closed in the current IATI codelist (the copy in ../shared/data still labels 4
    # "Post-completion"; its French label "Fermé" is the current meaning): nothing is pending.
    Status.ENDED: "4",
    Status.DECLINED: "5",  # Cancelled (declined proposals are not exported by default)
}

#: Actor type → IATI OrganisationType code (an NGO depends on whether it has a country).
ORGANISATION_TYPES: dict[str, str] = {
    ActorType.MUNICIPALITY: "11",  # Local Government
    ActorType.METROPOLITAN: "11",
    ActorType.REGIONAL: "11",
    # Associations of local governments are mostly bodies of public law or public-interest
    # associations of public authorities: Other Public Sector.
    ActorType.LGA: "15",
    ActorType.NETWORK: "21",  # International NGO: world and regional networks of cities
    ActorType.INTERNATIONAL: "40",  # Multilateral
    ActorType.NGO: "22",  # National NGO (21 International NGO when it has no country)
    ActorType.ACADEMIA: "80",  # Academic, Training and Research
    ActorType.PRIVATE: "70",  # Private Sector
    ActorType.NATIONAL_AGENCY: "10",  # Government
}

ACTIVITY_DATE_PLANNED_START = "1"
ACTIVITY_DATE_ACTUAL_START = "2"
ACTIVITY_DATE_PLANNED_END = "3"
ACTIVITY_DATE_ACTUAL_END = "4"
DESCRIPTION_GENERAL = "1"
DESCRIPTION_OBJECTIVES = "2"
SECTOR_VOCABULARY_SDG_GOAL = "7"
TAG_VOCABULARY_REPORTING_ORG = "99"
RESULT_OUTPUT = "1"
RESULT_OUTCOME = "2"
MEASURE_UNIT = "1"
MEASURE_PERCENTAGE = "2"
MEASURE_QUALITATIVE = "5"
DOCUMENT_CATEGORY_MOU = "A04"


def reporting_org() -> tuple[str, str, str]:
    """(ref, type, name) of the publisher, read from the settings at call time."""
    ref = getattr(settings, "CITYPEERS_IATI_ORG_ID", "") or "XM-CITYPEERS"
    org_type = getattr(settings, "CITYPEERS_IATI_ORG_TYPE", "") or "90"
    name = getattr(settings, "CITYPEERS_IATI_ORG_NAME", "") or getattr(
        settings, "CITYPEERS_SITE_NAME", "CityPeers"
    )
    return ref, org_type, name


def iati_identifier(partnership: Partnership) -> str:
    return f"{reporting_org()[0]}-{partnership.pk}"


def organisation_type(member: PartnershipMember) -> str:
    o = member.organisation
    if o.actor_type == ActorType.NGO and o.country_id is None:
        return "21"
    return ORGANISATION_TYPES.get(o.actor_type, "90")


def _lang(code: str) -> str:
    return (code or "en").split("-")[0].lower()


#: Characters XML 1.0 cannot hold (C0 controls other than tab and line breaks, surrogates,
#: U+FFFE/U+FFFF): text typed or imported with them would stop the whole export.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def _sub(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(
        parent, tag, {k.replace("_", "-"): _xml_safe(v) for k, v in attributes.items()}
    )


def _narrative(parent: etree._Element, text: str, lang: str | None = None) -> etree._Element:
    narrative = etree.SubElement(parent, "narrative")
    if lang:
        narrative.set(XML_LANG, lang)
    narrative.text = _xml_safe(text)
    return narrative


def _text(parent: etree._Element, tag: str, text: str, lang: str | None = None) -> None:
    _narrative(_sub(parent, tag), text, lang)


def shares(n: int) -> list[Decimal]:
    """``n`` percentages with two decimals that sum to exactly 100 (the last takes the rest)."""
    if n <= 0:
        return []
    each = (Decimal(100) / n).quantize(Decimal("0.01"))
    return [each] * (n - 1) + [Decimal(100) - each * (n - 1)]


def _number(value: Decimal) -> str:
    """``42.00`` → ``42``, ``31.50`` → ``31.5``."""
    return format(value.normalize(), "f")


def _summary(partnership: Partnership, members: Sequence[PartnershipMember]) -> str:
    return _("%(modality)s between %(members)s.") % {
        "modality": Modality(partnership.modality).label,
        "members": ", ".join(m.organisation.name for m in members),
    }


def _dates(activity: etree._Element, p: Partnership, today: dt.date) -> None:
    start = p.started_on
    if start is None:
        _sub(
            activity,
            "activity-date",
            type=ACTIVITY_DATE_PLANNED_START,
            iso_date=timezone.localdate(p.created_at).isoformat(),
        )
    else:
        kind = ACTIVITY_DATE_PLANNED_START if start > today else ACTIVITY_DATE_ACTUAL_START
        _sub(activity, "activity-date", type=kind, iso_date=start.isoformat())
    if p.status == Status.ENDED and p.ended_on is not None:
        kind = ACTIVITY_DATE_PLANNED_END if p.ended_on > today else ACTIVITY_DATE_ACTUAL_END
        _sub(activity, "activity-date", type=kind, iso_date=p.ended_on.isoformat())


def _indicator(result_el: etree._Element, indicator: Indicator, p: Partnership) -> None:
    measure = MEASURE_PERCENTAGE if indicator.unit.strip() == "%" else MEASURE_UNIT
    attributes = {"measure": measure}
    if indicator.baseline is not None and indicator.target is not None:
        attributes["ascending"] = "true" if indicator.target >= indicator.baseline else "false"
    el = _sub(result_el, "indicator", **attributes)
    _text(el, "title", indicator.name)
    if indicator.unit and measure == MEASURE_UNIT:
        _text(el, "description", _("Unit: %(unit)s") % {"unit": indicator.unit})
    start = indicator.baseline_on or p.started_on
    if indicator.baseline is not None and start is not None:
        baseline = _sub(el, "baseline", year=str(start.year), value=_number(indicator.baseline))
        if indicator.baseline_on is not None:
            baseline.set("iso-date", indicator.baseline_on.isoformat())
    end = indicator.measured_on
    if end is not None and (indicator.target is not None or indicator.actual is not None):
        start = min(start or end, end)
        period = _sub(el, "period")
        _sub(period, "period-start", iso_date=start.isoformat())
        _sub(period, "period-end", iso_date=end.isoformat())
        if indicator.target is not None:
            _sub(period, "target", value=_number(indicator.target))
        if indicator.actual is not None:
            _sub(period, "actual", value=_number(indicator.actual))


def _result(activity: etree._Element, result: Result, p: Partnership) -> None:
    kind = RESULT_OUTCOME if result.objective_id is not None else RESULT_OUTPUT
    el = _sub(activity, "result", type=kind)
    _text(el, "title", result.title)
    if result.description:
        _text(el, "description", result.description)
    indicators = list(result.indicators.all())
    if not indicators:
        _text(_sub(el, "indicator", measure=MEASURE_QUALITATIVE), "title", result.title)
    for indicator in indicators:
        _indicator(el, indicator, p)


def activity_element(
    p: Partnership, *, today: dt.date | None = None, base_url: str = ""
) -> etree._Element:
    """One ``iati-activity`` for a partnership fetched by ``export_queryset(detail=True)``."""
    today = today or timezone.localdate()
    ref, org_type, org_name = reporting_org()
    lang = _lang(p.original_language)
    activity = etree.Element("iati-activity")
    activity.set("last-updated-datetime", p.updated_at.isoformat(timespec="seconds"))
    activity.set(XML_LANG, lang)
    activity.set("hierarchy", "1")
    if base_url:
        activity.set("linked-data-uri", base_url + p.get_absolute_url())

    _sub(activity, "iati-identifier").text = iati_identifier(p)
    _narrative(_sub(activity, "reporting-org", ref=ref, type=org_type), org_name)
    _text(activity, "title", p.title, lang)

    members = list(p.members.all())
    participants = [m for m in members if m.accepted] or members
    descriptions = {_lang(k): v for k, v in (p.descriptions or {}).items() if v}
    general = _sub(activity, "description", type=DESCRIPTION_GENERAL)
    if descriptions:
        ordered = sorted(descriptions, key=lambda code: (code != lang, code))
        for code in ordered:
            _narrative(general, descriptions[code], code)
    else:
        _narrative(general, _summary(p, participants), active_language())
    objectives = [o.text for o in p.objectives.all()]
    if objectives:
        _text(activity, "description", "\n".join(objectives), lang)
        activity[-1].set("type", DESCRIPTION_OBJECTIVES)

    for member in participants:
        org = _sub(
            activity,
            "participating-org",
            role=ROLE_CODES.get(member.role, "4"),
            type=organisation_type(member),
        )
        _narrative(org, member.organisation.name)

    _sub(activity, "activity-status", code=STATUS_CODES[p.status])
    _dates(activity, p, today)

    southern = list(
        dict.fromkeys(
            m.organisation.country.iso2
            for m in participants
            if m.organisation.country is not None and m.organisation.country.global_south
        )
    )
    for code, share in zip(southern, shares(len(southern)), strict=True):
        _sub(activity, "recipient-country", code=code, percentage=_number(share))

    sdgs = sorted(s.number for s in p.sdgs.all())
    for number, share in zip(sdgs, shares(len(sdgs)), strict=True):
        _sub(
            activity,
            "sector",
            vocabulary=SECTOR_VOCABULARY_SDG_GOAL,
            code=str(number),
            percentage=_number(share),
        )
    for theme in p.themes.all():
        attributes = {"vocabulary": TAG_VOCABULARY_REPORTING_ORG, "code": theme.slug}
        if base_url:
            attributes["vocabulary_uri"] = base_url + "/api/v1/themes"
        tag = _sub(activity, "tag", **attributes)
        _narrative(tag, theme.label_en, "en")

    for agreement in p.agreements.all():
        if not agreement.url:
            continue
        link = _sub(activity, "document-link", url=agreement.url, format=_format(agreement.url))
        _text(link, "title", agreement.title)
        _sub(link, "category", code=DOCUMENT_CATEGORY_MOU)
        if agreement.signed_on:
            _sub(link, "document-date", iso_date=agreement.signed_on.isoformat())

    for result in p.results.all():
        _result(activity, result, p)
    return activity


def _format(url: str) -> str:
    """The IATI FileFormat (a media type) of a linked document, from its address."""
    guessed, _encoding = mimetypes.guess_type(url.split("?")[0])
    return guessed or "text/html"


def _header(generated: dt.datetime) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<iati-activities version="{IATI_VERSION}" '
        f'generated-datetime="{generated.isoformat(timespec="seconds")}">\n'
    )


def iati_chunks(queryset: QuerySet[Partnership], *, base_url: str = "") -> Iterator[str]:
    """The ``iati-activities`` document, one activity per chunk."""
    today = timezone.localdate()
    yield _header(timezone.now())
    for partnership in queryset.iterator(chunk_size=CHUNK):
        element = activity_element(partnership, today=today, base_url=base_url)
        yield etree.tostring(element, encoding="unicode", pretty_print=True)
    yield "</iati-activities>\n"
