"""The demo data set loaded by ``make run``: people to sign in as, and (as apps land) content.

Idempotent: existing demo records are left as they are. Passwords are random, never in the code;
they are printed once and kept in ``var/demo-credentials.txt`` (readable by the owner only).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction

from citypeers.accounts.models import User
from citypeers.accounts.services import user_sign_up

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
    return lines
