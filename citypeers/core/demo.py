"""The demo data set loaded by ``make run``: people to sign in as, and (as apps land) content.

Idempotent: existing demo records are left as they are. Passwords are random, never in the code;
they are printed once and kept in ``var/demo-credentials.txt`` (readable by the owner only).

The directory part (``citypeers.directory.demo_data``) is some fifty invented organisations of
every actor type in real cities of every world region, their memberships, and roles for the demo
people; it is written through the directory's services, by ``demo-admin``, and keyed by
``external_id`` so a second run changes nothing. Local governments for the cities of an imported
twinning list are not made here: the partnerships import (issue 4) creates them as it matches
each list's places, so they exist exactly when such a list has been imported.

The partnership part (``citypeers.partnerships.demo_data``) is some twenty-five invented
partnerships among those organisations, written through the partnership services: by
``demo-admin`` (staff, so every member is accepted at once), except the proposals, which the demo
person who edits for the proposing organisation makes, so that the other demo person has an
invitation to answer. They are keyed by ``external_id`` with source ``demo``.

The knowledge part (``citypeers.knowledge.demo_data``) is some fifteen invented practices of
those organisations, in English, French, Spanish and Portuguese originals with human translations,
written through the knowledge services: by the demo person who edits for the owner where the set
says so (Amina's draft for Dakar, Lucía's practice waiting in Sevilla's review queue, Dakar's
adaptation of Porto Alegre's participatory budget), otherwise by ``demo-admin``, who also
publishes. They are keyed by ``external_id`` (``demo:<key>``).

The match-request part (``citypeers.matching.demo_data.load``) is four invented requests with
invitations in every state, written through the matching services by the demo people within their
roles, keyed by ``external_id`` (``demo:match:<key>``).

The learning part (``citypeers.learning.demo_data.load``) is six invented events in English,
French and Spanish (past ones with learning notes, upcoming ones with registrations and a waiting
list) and three news articles with translations, written through the learning services, keyed by
``external_id`` (``demo:<key>``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction

from citypeers.accounts.models import User
from citypeers.accounts.services import user_sign_up
from citypeers.core.errors import ApplicationError, NotFound
from citypeers.directory import demo_data
from citypeers.directory import selectors as directory_selectors
from citypeers.directory import services as directory_services
from citypeers.directory.models import Membership, Organisation, ProfileItem
from citypeers.knowledge import demo_data as knowledge_demo_data
from citypeers.knowledge import selectors as knowledge_selectors
from citypeers.knowledge import services as knowledge_services
from citypeers.knowledge.models import Practice
from citypeers.learning import demo_data as learning_demo_data
from citypeers.matching import demo_data as matching_demo_data
from citypeers.partnerships import demo_data as partnership_demo_data
from citypeers.partnerships import selectors as partnership_selectors
from citypeers.partnerships import services as partnership_services
from citypeers.partnerships.models import Partnership
from citypeers.places import selectors as places_selectors

DEMO_USERS = [
    # username, e-mail, display name, staff
    ("demo-admin", "admin@demo.citypeers.invalid", "Demo administrator", True),
    ("amina", "amina@demo.citypeers.invalid", "Amina Diallo", False),
    ("lucia", "lucia@demo.citypeers.invalid", "Lucía Fernández", False),
]


def demo_load() -> list[str]:
    lines = []
    credentials = settings.VAR_DIR / "demo-credentials.txt"
    created = []
    with transaction.atomic():
        for username, email, name, staff in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(12)
            user = user_sign_up(
                username=username, email=email, password=password, display_name=name
            )
            if staff:
                User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
            created.append(f"{username}\t{password}")
    if created:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        with credentials.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(created) + "\n")
        credentials.chmod(0o600)
        lines.append(f"Demo accounts created; their passwords are in {credentials}.")
    else:
        lines.append("Demo accounts already present.")
    lines += _demo_directory()
    lines += _demo_partnerships()
    lines += _demo_practices()
    lines += matching_demo_data.load()
    lines += learning_demo_data.load()
    return lines


def _demo_directory() -> list[str]:
    """Organisations, memberships and roles of the directory's demo set (see the module doc)."""
    if not places_selectors.reference_counts().cities:
        return [
            "No reference data yet (run `citypeers load-reference`): demo organisations skipped."
        ]
    admin = User.objects.get(username="demo-admin")
    directory_services.theme_sync()
    themes = {t.slug: t for t in directory_selectors.theme_list()}
    sdgs = {s.number: s for s in places_selectors.sdg_list()}
    wanted = [o.external_id for o in demo_data.ORGANISATIONS]
    lines = []
    with transaction.atomic():
        existing = directory_selectors.organisations_by_external_id(external_ids=wanted)
        by_key: dict[str, Organisation] = {}
        created = 0
        for spec in demo_data.ORGANISATIONS:
            organisation = existing.get(spec.external_id)
            if organisation is None:
                try:
                    organisation = _demo_organisation_create(spec, admin, themes, sdgs)
                except ApplicationError as exc:  # e.g. someone already claimed the city
                    lines.append(f"Demo organisation {spec.name!r} skipped: {exc.message}")
                    continue
                created += 1
            by_key[spec.key] = organisation
        memberships = _demo_memberships(by_key, admin)
        roles = _demo_roles(by_key, admin)
    lines.append(
        f"Demo organisations: {created} created, {len(by_key) - created} already present; "
        f"{memberships} memberships and {roles} roles created."
    )
    return lines


def _demo_organisation_create(
    spec: demo_data.DemoOrganisation, admin: User, themes: dict[str, Any], sdgs: dict[int, Any]
) -> Organisation:
    city = admin_area = country = None
    try:
        if spec.city:
            city = places_selectors.city_get(geonameid=spec.city)
        if spec.region_of:
            admin_area = places_selectors.city_get(geonameid=spec.region_of).admin_area
        if spec.country:
            country = places_selectors.country_get(iso3=spec.country)
    except NotFound as exc:
        raise ApplicationError(exc.message) from exc
    organisation = directory_services.organisation_create(
        actor=admin,
        name=spec.name,
        actor_type=spec.actor_type,
        country=country,
        admin_area=admin_area,
        city=city,
        population_served=city.population if city and spec.actor_type in _CITY_TYPES else None,
        languages=spec.languages,
        acronym=spec.acronym,
        original_language=spec.original_language,
        descriptions=spec.descriptions,
        themes=[themes[slug] for slug in spec.themes],
        sdgs=[sdgs[number] for number in spec.sdgs],
        is_demo=True,
        external_id=spec.external_id,
        make_admin=False,
    )
    for kind, (slug, text) in (
        (ProfileItem.Kind.CHALLENGE, spec.challenge),
        (ProfileItem.Kind.EXPERTISE, spec.expertise),
    ):
        directory_services.profile_item_add(
            actor=admin, organisation=organisation, kind=kind, theme=themes[slug], text=text
        )
    return organisation


_CITY_TYPES = ("municipality", "metropolitan")


def _demo_memberships(by_key: dict[str, Organisation], admin: User) -> int:
    present = {
        (m.member_id, m.parent_id, m.role)
        for m in directory_selectors.membership_list().filter(
            parent__in=[o.pk for o in by_key.values()]
        )
    }
    created = 0
    for member_key, parent_key, role, year in demo_data.MEMBERSHIPS:
        member, parent = by_key.get(member_key), by_key.get(parent_key)
        if member is None or parent is None or (member.pk, parent.pk, role) in present:
            continue
        directory_services.membership_create(
            actor=admin,
            member=member,
            parent=parent,
            role=role or Membership.Role.MEMBER,
            start_date=dt.date(year, 1, 1) if year else None,
        )
        created += 1
    return created


def _demo_roles(by_key: dict[str, Organisation], admin: User) -> int:
    created = 0
    for username, key, role in demo_data.ROLES:
        organisation = by_key.get(key)
        user = User.objects.filter(username=username).first()
        if organisation is None or user is None:
            continue
        held = directory_selectors.organisations_of_user(user_id=user.pk)
        if held.filter(organisation=organisation).exists():
            continue
        directory_services.person_add(actor=admin, organisation=organisation, user=user, role=role)
        created += 1
    return created


def _demo_partnerships() -> list[str]:
    """The partnerships of the demo set (see the module doc); those already present are kept."""
    specs = partnership_demo_data.PARTNERSHIPS
    keys = {key for spec in specs for key, _role in spec.members}
    keys |= {a.host for spec in specs for a in spec.activities if a.host}
    keys |= {k for spec in specs for a in spec.activities for k in a.participants}
    organisations = directory_selectors.organisations_by_external_id(
        external_ids=[demo_data.EXTERNAL_ID_PREFIX + key for key in keys]
    )
    by_key = {
        o.external_id.removeprefix(demo_data.EXTERNAL_ID_PREFIX): o for o in organisations.values()
    }
    if not by_key:
        return []  # no demo organisations (no reference data yet): said above
    admin = User.objects.get(username="demo-admin")
    themes = {t.slug: t for t in directory_selectors.theme_list()}
    sdgs = {s.number: s for s in places_selectors.sdg_list()}
    present = partnership_selectors.partnerships_by_external_id(
        source=partnership_demo_data.SOURCE, external_ids=[spec.external_id for spec in specs]
    )
    lines, created = [], 0
    for spec in specs:
        if spec.external_id in present:
            continue
        missing = [key for key, _role in spec.members if key not in by_key]
        if missing:
            lines.append(
                f"Demo partnership {spec.title!r} skipped: no demo organisation "
                f"{', '.join(missing)}."
            )
            continue
        actor = User.objects.get(username=spec.proposed_by) if spec.proposed_by else admin
        try:
            with transaction.atomic():
                _demo_partnership_create(spec, actor, admin, by_key, themes, sdgs)
        except ApplicationError as exc:  # e.g. a demo person lost their role
            lines.append(f"Demo partnership {spec.title!r} skipped: {exc.message}")
            continue
        created += 1
    lines.append(f"Demo partnerships: {created} created, {len(present)} already present.")
    return lines


def _demo_partnership_create(
    spec: partnership_demo_data.DemoPartnership,
    actor: User,
    admin: User,
    by_key: dict[str, Organisation],
    themes: dict[str, Any],
    sdgs: dict[int, Any],
) -> Partnership:
    services = partnership_services
    partnership = services.partnership_create(
        actor=actor,
        title=spec.title,
        modality=spec.modality,
        members=[(by_key[key], role) for key, role in spec.members],
        started_on=spec.started_on,
        original_language=spec.original_language,
        descriptions=spec.descriptions,
        themes=[themes[slug] for slug in spec.themes],
        sdgs=[sdgs[number] for number in spec.sdgs],
        objectives=spec.objectives,
        is_demo=True,
        source=partnership_demo_data.SOURCE,
        external_id=spec.external_id,
    )
    objectives = list(partnership.objectives.all())
    for activity in spec.activities:
        host = by_key.get(activity.host)
        services.activity_add(
            actor=actor,
            partnership=partnership,
            kind=activity.kind,
            title=activity.title,
            start_date=activity.start,
            end_date=activity.end,
            description=activity.description,
            city=host.city if host is not None else None,
            participant_count=activity.participant_count,
            participants=[by_key[key] for key in activity.participants if key in by_key],
        )
    for result_spec in spec.results:
        result = services.result_add(
            actor=actor,
            partnership=partnership,
            title=result_spec.title,
            objective=objectives[result_spec.objective]
            if result_spec.objective is not None
            else None,
            description=result_spec.description,
            achieved_on=result_spec.achieved_on,
        )
        for indicator in result_spec.indicators:
            services.indicator_set(
                actor=actor,
                result=result,
                name=indicator.name,
                unit=indicator.unit,
                baseline=indicator.baseline,
                target=indicator.target,
                actual=indicator.actual,
                baseline_on=indicator.baseline_on,
                measured_on=indicator.measured_on,
            )
    if spec.agreement is not None:
        title, signed_on, url = spec.agreement
        services.agreement_add(
            actor=actor, partnership=partnership, title=title, signed_on=signed_on, url=url
        )
    for assessment_spec in spec.assessments:
        assessment = services.capacity_assessment_create(
            actor=admin,
            organisation=by_key[assessment_spec.organisation],
            assessed_on=assessment_spec.assessed_on,
            scores=assessment_spec.scores,
            notes="Demo self-assessment.",
        )
        services.partnership_assessment_link(
            actor=actor, partnership=partnership, assessment=assessment, kind=assessment_spec.kind
        )
    if spec.status in ("dormant", "ended"):
        services.partnership_set_status(
            actor=actor,
            partnership=partnership,
            status=spec.status,
            on=spec.status_on,
            reason=spec.end_reason,
        )
    return partnership


def _demo_practices() -> list[str]:
    """The practices of the demo set (see the module doc); those already present are kept."""
    specs = knowledge_demo_data.PRACTICES
    keys = {spec.owner for spec in specs}
    keys |= {key for spec in specs for key, _role in spec.organisations}
    keys |= {a.organisation for spec in specs for a in spec.adoptions}
    organisations = directory_selectors.organisations_by_external_id(
        external_ids=[demo_data.EXTERNAL_ID_PREFIX + key for key in keys]
    )
    by_key = {
        o.external_id.removeprefix(demo_data.EXTERNAL_ID_PREFIX): o for o in organisations.values()
    }
    if not by_key:
        return []  # no demo organisations (no reference data yet): said above
    admin = User.objects.get(username="demo-admin")
    themes = {t.slug: t for t in directory_selectors.theme_list()}
    sdgs = {s.number: s for s in places_selectors.sdg_list()}
    partnerships = partnership_selectors.partnerships_by_external_id(
        source=partnership_demo_data.SOURCE,
        external_ids=[
            partnership_demo_data.EXTERNAL_ID_PREFIX + spec.partnership
            for spec in specs
            if spec.partnership
        ],
    )
    present = knowledge_selectors.practices_by_external_id(
        external_ids=[spec.external_id for spec in specs]
    )
    lines, created, kept = [], 0, len(present)
    for spec in specs:
        if spec.external_id in present:
            continue
        if spec.owner not in by_key:
            lines.append(f"Demo practice {spec.key!r} skipped: no demo organisation {spec.owner}.")
            continue
        try:
            with transaction.atomic():
                practice = _demo_practice_create(
                    spec, admin, by_key, themes, sdgs, partnerships, present
                )
        except ApplicationError as exc:  # e.g. a demo person lost their role
            lines.append(f"Demo practice {spec.key!r} skipped: {exc.message}")
            continue
        present[spec.external_id] = practice
        created += 1
    lines.append(f"Demo practices: {created} created, {kept} already present.")
    return lines


def _demo_practice_create(
    spec: knowledge_demo_data.DemoPractice,
    admin: User,
    by_key: dict[str, Organisation],
    themes: dict[str, Any],
    sdgs: dict[int, Any],
    partnerships: dict[str, Partnership],
    present: dict[str, Practice],
) -> Practice:
    services = knowledge_services
    owner = by_key[spec.owner]
    author = User.objects.get(username=spec.author) if spec.author else admin
    source = None
    if spec.adapted_from:
        source = present.get(knowledge_demo_data.EXTERNAL_ID_PREFIX + spec.adapted_from)
        if source is None:
            raise ApplicationError(f"the practice it adapts ({spec.adapted_from}) is missing")
    original, *translations = spec.texts.items()
    practice = services.practice_create(
        actor=author,
        language=original[0],
        texts=original[1],
        facts=services.PracticeFacts(
            owner=owner,
            period_start=spec.period[0],
            period_end=spec.period[1],
            city=owner.city,
            country=None if owner.city else owner.country,
            themes=[themes[slug] for slug in spec.themes],
            sdgs=[sdgs[number] for number in spec.sdgs],
            organisations=[
                (owner, "lead"),
                *((by_key[key], role) for key, role in spec.organisations if key in by_key),
            ],
            partnership=partnerships.get(
                partnership_demo_data.EXTERNAL_ID_PREFIX + spec.partnership
            ),
        ),
        external_id=spec.external_id,
        adapted_from=source,
        is_demo=True,
    )
    for language, texts in translations:
        services.practice_translate(actor=author, practice=practice, language=language, texts=texts)
    for title, url in spec.resources:
        services.resource_add(actor=author, practice=practice, title=title, url=url)
    if spec.status == "submitted":
        services.practice_set_status(actor=author, practice=practice, status="submitted")
    elif spec.status == "published":
        services.practice_set_status(actor=admin, practice=practice, status="published")
    for adoption in spec.adoptions:
        reporter = (
            User.objects.get(username=adoption.reported_by) if adoption.reported_by else admin
        )
        services.adoption_report_add(
            actor=reporter,
            practice=source
            if source is not None and adoption.organisation == spec.owner
            else practice,
            organisation=by_key[adoption.organisation],
            adopted_on=adoption.adopted_on,
            what_changed=adoption.what_changed,
            outcome=adoption.outcome,
        )
    return practice
