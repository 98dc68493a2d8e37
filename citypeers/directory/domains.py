"""Comparing an e-mail address with an organisation's website: the evidence hint of a claim.

Moderators deciding a management claim (:class:`~citypeers.directory.models.ManagementClaim`)
see whether the requester's e-mail address is at the organisation's own domain. The comparison is
on *registrable* domains, so ``jean@lyon.fr`` matches ``https://www.lyon.fr/`` and
``ana@cultura.lyon.fr`` matches too, while ``x@lyon-tourisme.fr`` or ``x@gmail.com`` do not.

No network access and no public-suffix list (none is installed): the registrable domain is the
last two labels of the host name, or the last three when the second-to-last is one of the
generic second levels that countries use under their code (``gov.uk``, ``gob.mx``, ``gouv.fr``,
``com.br``, ``lg.jp`` …). That is right for the addresses of local governments nearly everywhere;
where it is wrong the hint says "different domain" and the moderator judges, as they must anyway:
the platform does not verify e-mail addresses at sign-up, so a match is a hint, never proof.
"""

from __future__ import annotations

import contextlib
import enum
from urllib.parse import urlsplit

#: Second-level labels used under country codes (``lyon.gouv.fr`` is not a city's own domain,
#: ``bristol.gov.uk`` is).
GENERIC_SECOND_LEVELS = frozenset(
    {
        "ac",
        "co",
        "com",
        "edu",
        "go",
        "gob",
        "gouv",
        "gov",
        "govt",
        "gv",
        "lg",
        "ltd",
        "mil",
        "muni",
        "net",
        "nic",
        "or",
        "org",
        "plc",
        "sch",
    }
)


class DomainEvidence(enum.StrEnum):
    """What the requester's e-mail domain says about the organisation's website."""

    MATCH = "match"  # the same registrable domain
    MISMATCH = "mismatch"  # both known, different domains
    UNKNOWN = "unknown"  # no website, or no usable address


def _host(value: str) -> str:
    """A host name, lower case, without a trailing dot, in its ASCII (IDNA) form."""
    host = value.strip().lower().rstrip(".")
    # A name the IDNA codec refuses is kept as given: both sides are then compared as typed.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    return host


def registrable_domain(host: str) -> str:
    """The part of ``host`` that its owner registered: ``www.lyon.fr`` → ``lyon.fr``,
    ``www.bristol.gov.uk`` → ``bristol.gov.uk``. Empty for an empty or one-label host."""
    labels = [label for label in _host(host).split(".") if label]
    if len(labels) < 2 or all(label.isdigit() for label in labels):
        return ""  # "localhost", an IP address: nothing registered
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in GENERIC_SECOND_LEVELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def email_domain(email: str) -> str:
    """The host part of an e-mail address (``""`` when there is none)."""
    _local, at, host = (email or "").rpartition("@")
    return _host(host) if at and _local else ""


def website_domain(website: str) -> str:
    """The host of a website address, with or without its scheme (``www.lyon.fr`` is accepted)."""
    value = (website or "").strip()
    if not value:
        return ""
    if "//" not in value:
        value = f"//{value}"
    try:
        host = urlsplit(value).hostname or ""
    except ValueError:
        return ""
    return _host(host)


def domain_evidence(email: str, website: str) -> DomainEvidence:
    """Whether ``email`` is at the registrable domain of ``website``."""
    mail = registrable_domain(email_domain(email))
    site = registrable_domain(website_domain(website))
    if not mail or not site:
        return DomainEvidence.UNKNOWN
    return DomainEvidence.MATCH if mail == site else DomainEvidence.MISMATCH
