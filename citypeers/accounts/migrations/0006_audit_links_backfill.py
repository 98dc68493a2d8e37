"""Link the audit events written before organisation audit logs existed to their organisations.

Uses the relations as they are now (a partnership's current members, say); events whose record is
gone stay unlinked. Record types of apps absent from the migration state are skipped.
"""

from django.db import migrations


def _ids(manager, field="organisation_id"):
    return list(manager.values_list(field, flat=True))


# A frozen copy of citypeers.accounts.audit.RESOLVERS at the time of this migration.
RESOLVERS = {
    "directory.organisation": lambda t: [t.pk],
    "directory.membership": lambda t: [t.member_id, t.parent_id],
    "accounts.invitation": lambda t: [t.organisation_id],
    "partnerships.partnership": lambda t: _ids(t.members),
    "knowledge.practice": lambda t: [t.owner_id, *_ids(t.organisation_roles)],
    "learning.event": lambda t: _ids(t.organisers, "pk"),
    "learning.registration": lambda t: _ids(t.event.organisers, "pk"),
    "learning.learningnote": lambda t: [t.organisation_id, *_ids(t.event.organisers, "pk")],
    "learning.newsarticle": lambda t: [t.owner_id, *_ids(t.organisations, "pk")],
    "matching.matchrequest": lambda t: [t.organisation_id],
    "matching.matchinvitation": lambda t: [t.organisation_id, t.request.organisation_id],
}


def backfill(apps, schema_editor):
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    Link = apps.get_model("accounts", "AuditEventOrganisation")
    Organisation = apps.get_model("directory", "Organisation")
    existing = set(Organisation.objects.values_list("pk", flat=True))
    for label, resolver in RESOLVERS.items():
        try:
            model = apps.get_model(*label.split("."))
        except LookupError:
            continue
        events = list(AuditEvent.objects.filter(target_type=label).values_list("pk", "target_id", "at"))
        targets = model.objects.in_bulk(
            [int(target_id) for _pk, target_id, _at in events if target_id.isdigit()]
        )
        links = []
        for pk, target_id, at in events:
            target = targets.get(int(target_id)) if target_id.isdigit() else None
            if target is None:
                continue
            for organisation_id in {o for o in resolver(target) if o and o in existing}:
                links.append(Link(event_id=pk, organisation_id=organisation_id, at=at))
        Link.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_auditeventorganisation"),
        ("directory", "0002_organisation_org_name"),
        ("partnerships", "0001_initial"),
        ("knowledge", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
