"""Checks of the translation catalogues: every UI string translated in fr and es, none fuzzy.

``python -m citypeers.core.catalogues check`` exits non-zero and lists the faulty entries. It also
re-extracts the strings from the code (when GNU xgettext is installed) and refuses a catalogue that
misses a string the code uses.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "citypeers" / "locale"
LANGUAGES = ("fr", "es")


def problems_in(po_path: Path) -> list[str]:
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if not message.id:
            continue
        label = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy:
            found.append(f"{po_path.relative_to(ROOT)}: fuzzy: {label!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found.append(f"{po_path.relative_to(ROOT)}: untranslated: {label!r}")
    return found


def msgids(po_path: Path) -> set[str]:
    with po_path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def missing_from_catalogues() -> list[str]:
    """Strings the code marks for translation that a catalogue lacks (needs xgettext)."""
    if shutil.which("xgettext") is None:
        print("xgettext not installed: skipped the comparison with the code", file=sys.stderr)
        return []
    with tempfile.TemporaryDirectory() as tmp:
        # A full copy of the code (with config/, so LOCALE_PATHS points into the copy): the real
        # catalogues are never touched by the extraction.
        copy = Path(tmp)
        shutil.copytree(
            ROOT / "citypeers",
            copy / "citypeers",
            ignore=shutil.ignore_patterns("locale", "__pycache__", "static", "tests"),
        )
        shutil.copytree(ROOT / "config", copy / "config")
        (copy / "citypeers" / "locale").mkdir()
        subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "-l", "fr", "--no-location"],
            cwd=copy / "citypeers",
            check=True,
            capture_output=True,
            env={
                "PYTHONPATH": str(copy),
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "CITYPEERS_ENV": "test",
                "CITYPEERS_VAR_DIR": str(copy / "var"),
                "PATH": "/usr/bin:/bin",
            },
        )
        fresh = msgids(copy / "citypeers" / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    out = []
    for lang in LANGUAGES:
        have = msgids(LOCALE / lang / "LC_MESSAGES" / "django.po")
        out += [f"{lang}: missing from the catalogue: {m!r}" for m in sorted(fresh - have)]
    return out


def check() -> int:
    problems: list[str] = []
    for lang in LANGUAGES:
        po = LOCALE / lang / "LC_MESSAGES" / "django.po"
        if not po.exists():
            problems.append(f"{po.relative_to(ROOT)} does not exist")
            continue
        problems += problems_in(po)
    if not problems:
        problems += missing_from_catalogues()
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} catalogue problem(s): run 'make messages' and translate.")
        return 1
    print("Catalogues complete: fr, es.")
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["check"]:
    sys.exit(check())
