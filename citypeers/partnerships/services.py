"""Writes of the partnership registry. Each takes the acting user, checks permission, validates,
runs in one transaction, records the change in the partnership's history and the audit log, and
keeps the derived geography up to date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.text import slugify
from django.utils.translation import gettext as _

from citypeers.accounts.audit import audit
from citypeers.core.errors import ApplicationError, Conflict, PermissionDenied
from citypeers.core.text import fold
from citypeers.core.translation import clean_translations
from citypeers.directory import permissions as directory_permissions
from citypeers.directory.models import Organisation, Theme
from citypeers.places.models import City, Sdg

from . import geography, permissions
from .capacity import DIMENSIONS
from .models import (
    Activity,
    Agreement,
    CapacityAssessment,
    CapacityDimension,
    CapacityScore,
    Indicator,
    Objective,
    Partnership,
    PartnershipAssessment,
    PartnershipEvent,
    PartnershipMember,
    Result,
    Status,
)

MemberSpec = tuple[Organisation, str]  # (organisation, role)

#: Callbacks run after a partnership was created, changed, changed status or was deleted (search
#: indexing, …), each with the partnership id, on commit. Other apps register here so the
#: registry does not depend on them.
AFTER_SAVED: list[Callable[[int], None]] = []


def _after_saved(partnership_id: int) -> None:
    for callback in AFTER_SAVED:
        transaction.on_commit(lambda cb=callback: cb(partnership_id))  # type: ignore[misc]


# Allowed status changes (proposed → active happens when every invited member has accepted).
TRANSITIONS: dict[str, set[str]] = {
    Status.PROPOSED: {Status.ACTIVE, Status.DECLINED},
    Status.ACTIVE: {Status.DORMANT, Status.ENDED},
    Status.DORMANT: {Status.ACTIVE, Status.ENDED},
    Status.ENDED: set(),
    Status.DECLINED: set(),
}


def _record(
    partnership: Partnership,
    actor: Any,
    kind: str,
    *,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
) -> PartnershipEvent:
    return PartnershipEvent.objects.create(
        partnership=partnership,
        actor=actor if directory_permissions.is_signed_in(actor) else None,
        kind=kind,
        note=note,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


def _unique_slug(title: str) -> str:
    base = slugify(fold(title))[:240] or "partnership"
    taken = set(Partnership.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def geography_recompute(partnership: Partnership) -> bool:
    """Re-derive the geography from the members; return whether it changed."""
    places = [
        geography.MemberPlace(
            m.organisation.country_id,
            m.organisation.country.global_south if m.organisation.country else None,
        )
        for m in PartnershipMember.objects.filter(partnership=partnership).select_related(
            "organisation__country"
        )
    ]
    value, single = geography.classify(places)
    if (value, single) == (partnership.geography, partnership.single_country):
        return False
    Partnership.objects.filter(pk=partnership.pk).update(geography=value, single_country=single)
    partnership.geography, partnership.single_country = value, single
    return True


def geography_recompute_all(*, batch_size: int = 2000) -> int:
    """Re-derive every partnership's geography (after a classification changed); return changes."""
    members: dict[int, list[geography.MemberPlace]] = {}
    rows = PartnershipMember.objects.values_list(
        "partnership_id", "organisation__country_id", "organisation__country__global_south"
    )
    for partnership_id, country_id, south in rows.iterator(chunk_size=5000):
        members.setdefault(partnership_id, []).append(geography.MemberPlace(country_id, south))
    changed = []
    for pk, current, single in Partnership.objects.values_list(
        "pk", "geography", "single_country"
    ).iterator(chunk_size=5000):
        value, single_now = geography.classify(members.get(pk, []))
        if (value, single_now) != (current, single):
            changed.append(Partnership(pk=pk, geography=value, single_country=single_now))
    Partnership.objects.bulk_update(changed, ["geography", "single_country"], batch_size=batch_size)
    return len(changed)


def _check_members(members: Sequence[MemberSpec]) -> None:
    ids = [org.pk for org, _role in members]
    if len(set(ids)) != len(ids):
        raise ApplicationError(
            _("An organisation appears twice among the members."), field="members"
        )
    if len(ids) < 2:
        raise ApplicationError(_("A partnership needs at least two members."), field="members")
    for _org, role in members:
        if role not in PartnershipMember.Role.values:
            raise ApplicationError(
                _("Unknown member role %(role)r.") % {"role": role}, field="members"
            )


def partnership_create(
    *,
    actor: Any,
    title: str,
    modality: str,
    members: Sequence[MemberSpec],
    started_on: dt.date | None = None,
    original_language: str = "en",
    descriptions: dict[str, str] | None = None,
    themes: Iterable[Theme] = (),
    sdgs: Iterable[Sdg] = (),
    objectives: Sequence[str] = (),
    is_demo: bool = False,
    source: str = "",
    external_id: str = "",
) -> Partnership:
    """Record a partnership, or propose one.

    Members the actor edits for are accepted at once; any other member is *invited* and must
    accept. With every member accepted the partnership is active; otherwise it is proposed.
    ``source`` and ``external_id`` key a partnership loaded from elsewhere (the demo set, say), so
    that loading again can find it; the pair is unique.
    """
    if not directory_permissions.is_signed_in(actor):
        raise PermissionDenied(_("Sign in to record a partnership."))
    _check_members(members)
    own = [org for org, _role in members if permissions.can_propose_for(actor, org)]
    if not own:
        raise PermissionDenied(
            _("You can record a partnership only for an organisation you edit for.")
        )
    if not title.strip():
        raise ApplicationError(_("Give the partnership a title."), field="title")
    from .models import Modality

    if modality not in Modality.values:
        raise ApplicationError(_("Unknown modality."), field="modality")
    descriptions = clean_translations(descriptions, original_language)
    if external_id and Partnership.objects.filter(source=source, external_id=external_id).exists():
        raise Conflict(
            _("A partnership with this external id is already recorded."), field="external_id"
        )
    moderator = directory_permissions.is_platform_moderator(actor)
    with transaction.atomic():
        all_accepted = moderator or len(own) == len(members)
        partnership = Partnership.objects.create(
            title=title.strip()[:250],
            slug=_unique_slug(title),
            modality=modality,
            status=Status.ACTIVE if all_accepted else Status.PROPOSED,
            started_on=started_on or (dt.date.today() if all_accepted else None),
            original_language=original_language,
            descriptions=descriptions,
            is_demo=is_demo,
            source=source[:40],
            external_id=external_id[:120],
            created_by=actor,
        )
        own_ids = {o.pk for o in own}
        PartnershipMember.objects.bulk_create(
            [
                PartnershipMember(
                    partnership=partnership,
                    organisation=org,
                    role=role,
                    accepted=moderator or org.pk in own_ids,
                )
                for org, role in members
            ]
        )
        partnership.themes.set(list(themes))
        partnership.sdgs.set(list(sdgs))
        Objective.objects.bulk_create(
            [
                Objective(partnership=partnership, text=text.strip(), position=i)
                for i, text in enumerate(objectives)
                if text.strip()
            ]
        )
        geography_recompute(partnership)
        _record(
            partnership,
            actor,
            "created" if all_accepted else "proposed",
            to_status=partnership.status,
            data={"members": [o.pk for o, _r in members]},
        )
        audit(actor=actor, verb="partnership.create", target=partnership)
        _after_saved(partnership.pk)
    return partnership


def _activate_when_all_accepted(partnership: Partnership, actor: Any) -> None:
    """A proposal becomes active as soon as no invitation is left open."""
    if partnership.status != Status.PROPOSED:
        return
    if partnership.members.filter(accepted=False).exists():
        return
    partnership.status = Status.ACTIVE
    partnership.started_on = partnership.started_on or dt.date.today()
    partnership.save(update_fields=["status", "started_on", "updated_at"])
    _record(partnership, actor, "status", from_status=Status.PROPOSED, to_status=Status.ACTIVE)


# An invitation can be answered while the partnership is proposed, or running (``member_add``
# invites an organisation the actor does not edit for into an active or dormant partnership).
ANSWERABLE = {Status.PROPOSED, Status.ACTIVE, Status.DORMANT}


def partnership_answer(
    *,
    actor: Any,
    partnership: Partnership,
    organisation: Organisation,
    accept: bool,
    note: str = "",
) -> Partnership:
    """An invited organisation accepts or declines a partnership it was invited to.

    Accepting makes a proposal active once every invited member has accepted; declining removes
    the organisation, and a proposal left with fewer than two members is declined.
    """
    if not permissions.can_answer_for(actor, organisation):
        raise PermissionDenied(
            _("Only editors of %(org)s can answer for it.") % {"org": organisation}
        )
    with transaction.atomic():
        partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
        member = PartnershipMember.objects.filter(
            partnership=partnership, organisation=organisation
        ).first()
        if member is None or member.accepted:
            raise Conflict(_("There is no open invitation for %(org)s.") % {"org": organisation})
        if partnership.status not in ANSWERABLE:
            raise Conflict(_("This partnership is not waiting for answers any more."))
        if accept:
            member.accepted = True
            member.save(update_fields=["accepted"])
            _record(
                partnership, actor, "accepted", note=note, data={"organisation": organisation.pk}
            )
        else:
            member.delete()
            _record(
                partnership, actor, "declined", note=note, data={"organisation": organisation.pk}
            )
            if partnership.status == Status.PROPOSED and partnership.members.count() < 2:
                partnership.status = Status.DECLINED
                partnership.save(update_fields=["status", "updated_at"])
                _record(
                    partnership,
                    actor,
                    "status",
                    from_status=Status.PROPOSED,
                    to_status=Status.DECLINED,
                )
            geography_recompute(partnership)
        _activate_when_all_accepted(partnership, actor)
        audit(
            actor=actor,
            verb="partnership.accept" if accept else "partnership.decline",
            target=partnership,
        )
        _after_saved(partnership.pk)
    return partnership


def _require_edit(actor: Any, partnership: Partnership) -> None:
    if not permissions.can_edit(actor, partnership):
        raise PermissionDenied(
            _("Only editors of a member organisation can change this partnership.")
        )


def partnership_update(
    *,
    actor: Any,
    partnership: Partnership,
    title: str | None = None,
    modality: str | None = None,
    started_on: dt.date | None = None,
    original_language: str | None = None,
    descriptions: dict[str, str] | None = None,
    themes: Iterable[Theme] | None = None,
    sdgs: Iterable[Sdg] | None = None,
) -> Partnership:
    _require_edit(actor, partnership)
    from .models import Modality

    changed = []
    with transaction.atomic():
        if title is not None:
            if not title.strip():
                raise ApplicationError(_("Give the partnership a title."), field="title")
            partnership.title = title.strip()[:250]
            changed.append("title")
        if modality is not None:
            if modality not in Modality.values:
                raise ApplicationError(_("Unknown modality."), field="modality")
            partnership.modality = modality
            changed.append("modality")
        if started_on is not None:
            if partnership.ended_on and started_on > partnership.ended_on:
                raise ApplicationError(
                    _("A partnership cannot start after it ended."), field="started_on"
                )
            partnership.started_on = started_on
            changed.append("started_on")
        if original_language is not None:
            partnership.original_language = original_language
            changed.append("original_language")
        if descriptions is not None or original_language is not None:
            partnership.descriptions = clean_translations(
                partnership.descriptions if descriptions is None else descriptions,
                partnership.original_language,
            )
            changed.append("descriptions")
        partnership.save()
        if themes is not None:
            partnership.themes.set(list(themes))
            changed.append("themes")
        if sdgs is not None:
            partnership.sdgs.set(list(sdgs))
            changed.append("sdgs")
        _record(partnership, actor, "updated", data={"fields": changed})
        audit(actor=actor, verb="partnership.update", target=partnership, data={"fields": changed})
        _after_saved(partnership.pk)
    return partnership


def partnership_set_status(
    *,
    actor: Any,
    partnership: Partnership,
    status: str,
    on: dt.date | None = None,
    reason: str = "",
) -> Partnership:
    """Move along the lifecycle: active ⇄ dormant, → ended (with a date and a reason)."""
    _require_edit(actor, partnership)
    if status not in TRANSITIONS.get(partnership.status, set()):
        raise Conflict(
            _("A %(from)s partnership cannot become %(to)s.")
            % {
                "from": partnership.get_status_display(),
                "to": Status(status).label if status in Status.values else status,
            },
            field="status",
        )
    if status == Status.ACTIVE and partnership.status == Status.PROPOSED:
        raise Conflict(
            _("A proposed partnership becomes active when every member has accepted."),
            field="status",
        )
    on = on or dt.date.today()
    with transaction.atomic():
        previous = partnership.status
        if status == Status.ENDED:
            if not reason.strip():
                raise ApplicationError(_("Say why the partnership ended."), field="reason")
            if partnership.started_on and on < partnership.started_on:
                raise ApplicationError(_("A partnership cannot end before it started."), field="on")
            partnership.ended_on = on
            partnership.end_reason = reason.strip()
        partnership.status = status
        partnership.save()
        _record(
            partnership,
            actor,
            "status",
            from_status=previous,
            to_status=status,
            note=reason.strip(),
            data={"on": on.isoformat()},
        )
        audit(actor=actor, verb="partnership.status", target=partnership, data={"to": status})
        _after_saved(partnership.pk)
    return partnership


def partnership_delete(*, actor: Any, partnership: Partnership) -> None:
    if not permissions.can_delete(actor, partnership):
        raise PermissionDenied(
            _("Only platform moderators can delete a partnership; members end it.")
        )
    with transaction.atomic():
        audit(actor=actor, verb="partnership.delete", target=partnership)
        partnership_id = partnership.pk
        partnership.delete()
        _after_saved(partnership_id)


def member_add(
    *, actor: Any, partnership: Partnership, organisation: Organisation, role: str
) -> PartnershipMember:
    """Add a member: accepted at once if the actor edits for it, otherwise invited."""
    _require_edit(actor, partnership)
    if role not in PartnershipMember.Role.values:
        raise ApplicationError(_("Unknown member role %(role)r.") % {"role": role}, field="role")
    if partnership.members.filter(organisation=organisation).exists():
        raise Conflict(
            _("%(org)s is already a member.") % {"org": organisation}, field="organisation"
        )
    with transaction.atomic():
        accepted = permissions.can_propose_for(actor, organisation)
        member = PartnershipMember.objects.create(
            partnership=partnership, organisation=organisation, role=role, accepted=accepted
        )
        geography_recompute(partnership)
        _record(
            partnership,
            actor,
            "member_added" if accepted else "member_invited",
            data={"organisation": organisation.pk, "role": role},
        )
        audit(actor=actor, verb="partnership.member_add", target=partnership)
    return member


def member_remove(*, actor: Any, member: PartnershipMember) -> None:
    partnership = member.partnership
    if not (
        permissions.can_edit(actor, partnership)
        or permissions.can_answer_for(actor, member.organisation)
    ):
        raise PermissionDenied(
            _("Only editors of a member organisation can change this partnership.")
        )
    if partnership.members.count() <= 2:
        raise ApplicationError(
            _("A partnership keeps at least two members: end it instead."), field="organisation"
        )
    with transaction.atomic():
        organisation_id = member.organisation_id
        member.delete()
        geography_recompute(partnership)
        _record(partnership, actor, "member_removed", data={"organisation": organisation_id})
        # Withdrawing the last open invitation of a proposal leaves only accepted members.
        _activate_when_all_accepted(partnership, actor)
        audit(actor=actor, verb="partnership.member_remove", target=partnership)


def objective_add(*, actor: Any, partnership: Partnership, text: str) -> Objective:
    _require_edit(actor, partnership)
    if not text.strip():
        raise ApplicationError(_("Write the objective."), field="text")
    with transaction.atomic():
        objective = Objective.objects.create(
            partnership=partnership, text=text.strip(), position=partnership.objectives.count()
        )
        _record(partnership, actor, "objective_added", data={"objective": objective.pk})
        audit(actor=actor, verb="partnership.objective_add", target=partnership)
    return objective


def activity_add(
    *,
    actor: Any,
    partnership: Partnership,
    kind: str,
    title: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    description: str = "",
    city: City | None = None,
    participant_count: int | None = None,
    participants: Iterable[Organisation] = (),
) -> Activity:
    _require_edit(actor, partnership)
    if kind not in Activity.Kind.values:
        raise ApplicationError(_("Unknown kind of activity."), field="kind")
    if not title.strip():
        raise ApplicationError(_("Give the activity a title."), field="title")
    if end_date and end_date < start_date:
        raise ApplicationError(_("An activity cannot end before it starts."), field="end_date")
    with transaction.atomic():
        activity = Activity.objects.create(
            partnership=partnership,
            kind=kind,
            title=title.strip()[:250],
            description=description.strip(),
            start_date=start_date,
            end_date=end_date,
            city=city,
            participant_count=participant_count,
        )
        activity.participants.set(list(participants))
        _record(partnership, actor, "activity_added", data={"activity": activity.pk, "kind": kind})
        audit(actor=actor, verb="partnership.activity_add", target=partnership)
    return activity


def activity_delete(*, actor: Any, activity: Activity) -> None:
    _require_edit(actor, activity.partnership)
    with transaction.atomic():
        _record(activity.partnership, actor, "activity_removed", data={"title": activity.title})
        audit(actor=actor, verb="partnership.activity_delete", target=activity.partnership)
        activity.delete()


def result_add(
    *,
    actor: Any,
    partnership: Partnership,
    title: str,
    objective: Objective | None = None,
    description: str = "",
    achieved_on: dt.date | None = None,
) -> Result:
    _require_edit(actor, partnership)
    if objective is not None and objective.partnership_id != partnership.pk:
        raise ApplicationError(
            _("This objective belongs to another partnership."), field="objective"
        )
    if not title.strip():
        raise ApplicationError(_("Name the result."), field="title")
    with transaction.atomic():
        result = Result.objects.create(
            partnership=partnership,
            objective=objective,
            title=title.strip()[:250],
            description=description.strip(),
            achieved_on=achieved_on,
        )
        _record(partnership, actor, "result_added", data={"result": result.pk})
        audit(actor=actor, verb="partnership.result_add", target=partnership)
    return result


def indicator_set(
    *,
    actor: Any,
    result: Result,
    name: str,
    unit: str = "",
    baseline: Decimal | None = None,
    target: Decimal | None = None,
    actual: Decimal | None = None,
    baseline_on: dt.date | None = None,
    measured_on: dt.date | None = None,
    indicator: Indicator | None = None,
) -> Indicator:
    """Create an indicator for a result, or update ``indicator`` with new figures."""
    _require_edit(actor, result.partnership)
    if not name.strip():
        raise ApplicationError(_("Name the indicator."), field="name")
    with transaction.atomic():
        if indicator is None:
            indicator = Indicator(result=result)
        elif indicator.result_id != result.pk:
            raise ApplicationError(
                _("This indicator belongs to another result."), field="indicator"
            )
        indicator.name, indicator.unit = name.strip()[:250], unit.strip()[:50]
        indicator.baseline, indicator.target, indicator.actual = baseline, target, actual
        indicator.baseline_on, indicator.measured_on = baseline_on, measured_on
        indicator.save()
        _record(
            result.partnership,
            actor,
            "indicator_set",
            data={"indicator": indicator.pk, "actual": str(actual) if actual is not None else None},
        )
        audit(actor=actor, verb="partnership.indicator_set", target=result.partnership)
    return indicator


def agreement_add(
    *,
    actor: Any,
    partnership: Partnership,
    title: str,
    signed_on: dt.date | None = None,
    url: str = "",
    document: Any = None,
) -> Agreement:
    _require_edit(actor, partnership)
    if not title.strip():
        raise ApplicationError(_("Name the agreement."), field="title")
    if not url and document is None:
        raise ApplicationError(_("Give a link to the agreement or upload it."), field="url")
    with transaction.atomic():
        agreement = Agreement(
            partnership=partnership, title=title.strip()[:250], signed_on=signed_on, url=url
        )
        if document is not None:
            agreement.document = document
        try:
            agreement.full_clean()
        except ValidationError as exc:  # a malformed link, say
            field, messages = next(iter(exc.message_dict.items()))
            raise ApplicationError(
                " ".join(messages), field=None if field == "__all__" else field
            ) from exc
        try:
            agreement.save()
        except OSError as exc:  # a full or read-only media folder
            raise ApplicationError(
                _("The document could not be stored: %(error)s") % {"error": exc.strerror or exc},
                field="document",
            ) from exc
        _record(partnership, actor, "agreement_added", data={"agreement": agreement.pk})
        audit(actor=actor, verb="partnership.agreement_add", target=partnership)
    return agreement


def capacity_sync() -> int:
    """Write the project's capacity framework (``capacity.py``); return how many were created."""
    created = 0
    for position, (slug, applies_to, en, fr, es) in enumerate(DIMENSIONS):
        _d, was_created = CapacityDimension.objects.update_or_create(
            slug=slug,
            defaults={
                "applies_to": applies_to,
                "position": position,
                "label_en": en,
                "label_fr": fr,
                "label_es": es,
            },
        )
        created += int(was_created)
    return created


def capacity_assessment_create(
    *,
    actor: Any,
    organisation: Organisation,
    assessed_on: dt.date,
    scores: dict[str, tuple[int, str]],
    notes: str = "",
) -> CapacityAssessment:
    """Record a self-assessment: ``scores`` maps dimension slug → (level 1–5, evidence)."""
    if not directory_permissions.can_edit(actor, organisation):
        raise PermissionDenied(
            _("Only editors of %(org)s can assess its capacity.") % {"org": organisation}
        )
    dimensions = {d.slug: d for d in CapacityDimension.objects.all()}
    if not scores:
        raise ApplicationError(_("Score at least one dimension."), field="scores")
    for slug, (level, _evidence) in scores.items():
        if slug not in dimensions:
            raise ApplicationError(
                _("Unknown capacity dimension %(slug)r.") % {"slug": slug}, field="scores"
            )
        try:
            in_range = 1 <= int(level) <= 5
        except (TypeError, ValueError):
            in_range = False
        if not in_range:
            raise ApplicationError(_("A level is between 1 and 5."), field="scores")
    with transaction.atomic():
        assessment = CapacityAssessment.objects.create(
            organisation=organisation,
            assessed_on=assessed_on,
            notes=notes.strip(),
            created_by=actor,
        )
        CapacityScore.objects.bulk_create(
            [
                CapacityScore(
                    assessment=assessment,
                    dimension=dimensions[slug],
                    level=int(level),
                    evidence=evidence.strip(),
                )
                for slug, (level, evidence) in scores.items()
            ]
        )
        audit(actor=actor, verb="capacity.assess", target=organisation)
    return assessment


def partnership_assessment_link(
    *, actor: Any, partnership: Partnership, assessment: CapacityAssessment, kind: str
) -> PartnershipAssessment:
    """Link a member's assessment to the partnership as its baseline or a follow-up."""
    _require_edit(actor, partnership)
    if kind not in PartnershipAssessment.Kind.values:
        raise ApplicationError(_("Unknown kind of assessment link."), field="kind")
    if not partnership.members.filter(organisation_id=assessment.organisation_id).exists():
        raise ApplicationError(
            _("The assessment is of an organisation outside the partnership."), field="assessment"
        )
    with transaction.atomic():
        link, _created = PartnershipAssessment.objects.update_or_create(
            partnership=partnership, assessment=assessment, defaults={"kind": kind}
        )
        _record(
            partnership, actor, "capacity_linked", data={"assessment": assessment.pk, "kind": kind}
        )
        audit(actor=actor, verb="partnership.capacity_link", target=partnership)
    return link


def members_prefetch() -> Prefetch:
    return Prefetch(
        "members",
        queryset=PartnershipMember.objects.select_related("organisation__country"),
    )
