"""Time zones of events: the IANA names a zone field accepts, local times made aware, and the
reader's zone as their browser reported it.

An organiser types the local time of the event in the event's zone. A local time that does not
exist there (skipped when clocks go forward) is refused rather than silently moved; one that occurs
twice (when clocks go back) is taken at its first occurrence, as ``zoneinfo`` does with ``fold=0``.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import Any

from django.utils.translation import gettext as _

from citypeers.core.errors import ApplicationError

#: The cookie ``learning/timezone.js`` sets to the browser's IANA zone.
READER_ZONE_COOKIE = "citypeers_tz"


@functools.lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Canonical-looking IANA zones (``Area/Place`` and ``UTC``), sorted."""
    names = {
        name
        for name in zoneinfo.available_timezones()
        if "/" in name
        and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
        and name.split("/")[0][0].isupper()
    }
    names.add("UTC")
    return tuple(sorted(names))


def is_zone(name: str) -> bool:
    if not name or name not in zoneinfo.available_timezones():
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def clean_zone(name: str, field: str = "time_zone") -> str:
    name = (name or "").strip()
    if not is_zone(name):
        raise ApplicationError(
            _("%(zone)r is not an IANA time zone such as Europe/Paris or America/Bogota.")
            % {"zone": name},
            field=field,
        )
    return name


def make_aware(value: dt.datetime, zone: str, field: str) -> dt.datetime:
    """``value`` as an aware datetime: a naive one is a local time in ``zone``."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value
    tz = zoneinfo.ZoneInfo(zone)
    aware = value.replace(tzinfo=tz)
    # A time in a gap (clocks went forward) does not survive the round trip through UTC.
    back = aware.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
    if back != value.replace(tzinfo=None):
        raise ApplicationError(
            _("%(time)s does not exist in %(zone)s: the clocks change then.")
            % {"time": value.strftime("%Y-%m-%d %H:%M"), "zone": zone},
            field=field,
        )
    return aware


def offset_label(value: dt.datetime) -> str:
    """``UTC+02:00`` for an aware datetime."""
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def reader_zone(request: Any) -> str | None:
    """The reader's zone, as their browser reported it in the cookie; None when unknown."""
    name = (getattr(request, "COOKIES", {}) or {}).get(READER_ZONE_COOKIE, "")[:64]
    return name if is_zone(name) else None


def span(starts_at: dt.datetime, ends_at: dt.datetime, zone: str) -> str:
    """``starts_at``–``ends_at`` in ``zone``, in the active language's formats: the date once
    when both fall on the same local day."""
    from django.utils import formats

    tz = zoneinfo.ZoneInfo(zone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    day = formats.date_format(start, "DATE_FORMAT")
    if start.date() == end.date():
        return (
            f"{day}, {formats.time_format(start, 'TIME_FORMAT')}"
            f"–{formats.time_format(end, 'TIME_FORMAT')}"
        )
    return (
        f"{day}, {formats.time_format(start, 'TIME_FORMAT')} – "
        f"{formats.date_format(end, 'DATE_FORMAT')}, {formats.time_format(end, 'TIME_FORMAT')}"
    )
