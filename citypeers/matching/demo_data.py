"""The demo match requests: invented needs posted by demo organisations, with invitations in every
state a visitor can meet.

Everything here is written by the project for demonstration; it describes no real request. The
organisations are the directory's demo organisations (``citypeers.directory.demo_data``, by key);
the people are the demo accounts of ``citypeers.core.demo``, acting within their roles:

- Amina (admin of Dakar, editor of the Senegalese LGA) posts Dakar's request on coastal erosion,
  which invites Sevilla — so Lucía, Sevilla's editor, has an invitation to answer — and Valparaíso.
- Lucía posts Sevilla's request on heat in school yards. Amina accepts it for Dakar, so a
  proposed partnership led by Sevilla waits for Lucía's confirmation on its page, and declines it
  for the LGA, saying why; Durban's invitation is still open.
- Amina posts the LGA's request on own-source revenue, inviting the world network (which
  ``demo-admin`` administers) and withdrawing an invitation to the Colombian federation; and she
  closes an older request of Dakar, which withdraws its open invitation.

``load()`` writes them through the match-request services (invitations compute their rank among
the engine's suggestions as they would for a person), keyed by ``external_id``
(``demo:match:<key>``): a request already present is left as it is, so a second load changes
nothing. ``citypeers.core.demo`` calls it after the demo partnerships and practices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXTERNAL_ID_PREFIX = "demo:match:"


@dataclass(frozen=True)
class DemoInvitation:
    #: key of the demo organisation invited
    organisation: str
    message: str
    #: pending, accepted, declined or withdrawn
    outcome: str = "pending"
    #: username of the demo person who answers (an editor of the invited organisation)
    answered_by: str = ""
    note: str = ""


@dataclass(frozen=True)
class DemoRequest:
    key: str
    #: key of the requesting demo organisation
    organisation: str
    #: username of the demo person who posts it (an editor of the organisation)
    posted_by: str
    title: str
    text: str
    language: str
    themes: tuple[str, ...]
    modality: str = "c2c"
    mode: str = "partners"
    regions: tuple[str, ...] = ()  # UN M49 codes
    countries: tuple[str, ...] = ()  # ISO alpha-3
    languages: tuple[str, ...] = ()
    invitations: tuple[DemoInvitation, ...] = ()
    #: a reason to close it with, once its invitations are made
    closed_because: str = ""

    @property
    def external_id(self) -> str:
        return EXTERNAL_ID_PREFIX + self.key


R, Inv = DemoRequest, DemoInvitation

REQUESTS: list[DemoRequest] = [
    R(
        "dakar-coastal-erosion",
        "dakar",
        "amina",
        "Protéger la corniche de l'érosion côtière",
        "Demande de démonstration. La mer avance de plusieurs mètres par an le long de la "
        "corniche ouest et menace des quartiers entiers. Nous cherchons une ville côtière qui a "
        "combiné ouvrages de protection, recul planifié et concertation avec les habitants, et "
        "qui accepterait d'accueillir une visite d'étude de nos techniciens.",
        "fr",
        ("climate-resilience", "land"),
        modality="c2c",
        mode="peers",
        languages=("fr", "en", "es"),
        invitations=(
            Inv(
                "sevilla",
                "Votre travail sur l'adaptation au climat nous intéresse : accepteriez-vous "
                "d'échanger avec nos équipes ?",
            ),
            Inv(
                "valparaiso",
                "Comme nous, vous gérez un littoral urbain exposé : partageons nos expériences.",
            ),
        ),
    ),
    R(
        "sevilla-school-yards",
        "sevilla",
        "lucia",
        "Patios escolares frescos: buscamos ciudades con experiencia",
        "Solicitud de demostración. Queremos transformar cuarenta patios escolares en refugios "
        "climáticos con sombra, agua y vegetación antes del verano. Buscamos ciudades que hayan "
        "hecho lo mismo y puedan compartir diseños, costes y cómo implicaron a las familias.",
        "es",
        ("climate-resilience", "public-space", "education"),
        modality="c2c",
        mode="partners",
        languages=("es", "en", "fr"),
        invitations=(
            Inv(
                "dakar",
                "Sabemos que trabajan con los barrios en espacios públicos: ¿les interesaría?",
                outcome="accepted",
                answered_by="amina",
                note="Avec plaisir : nos quartiers ont aménagé des places ombragées.",
            ),
            Inv(
                "lga-sen",
                "¿Podría su asociación difundir la experiencia entre los municipios senegaleses?",
                outcome="declined",
                answered_by="amina",
                note="Les écoles relèvent de l'État, pas des communes : l'association ne peut "
                "pas s'engager sur les cours d'école pour l'instant.",
            ),
            Inv(
                "durban",
                "Your greening programme for schools is well known: could we learn from it?",
            ),
        ),
    ),
    R(
        "lga-sen-own-revenue",
        "lga-sen",
        "amina",
        "Peer learning on own-source revenue for small municipalities",
        "Demo request. Our member municipalities collect less than a third of the local taxes "
        "they are entitled to. We look for an association or network that has run a peer-learning "
        "programme on tax registers, billing and collection, to design one for our members.",
        "en",
        ("local-finance", "institutional-capacity"),
        modality="a2a",
        mode="association",
        languages=("fr", "en"),
        invitations=(
            Inv(
                "world-network",
                "Your members have run such programmes: would you facilitate an exchange?",
            ),
            Inv(
                "lga-col",
                "We heard of your municipal finance school and would like to learn from it.",
                outcome="withdrawn",
            ),
        ),
    ),
    R(
        "dakar-market-waste",
        "dakar",
        "amina",
        "Organic waste from markets",
        "Demo request. Our markets produce tonnes of organic waste each day. We looked for a city "
        "that composts market waste at scale.",
        "en",
        ("waste",),
        modality="c2c",
        mode="peers",
        invitations=(Inv("kumasi", "Would you share how your markets sort organic waste?"),),
        closed_because="We found a partner through the African network.",
    ),
]


def load() -> list[str]:
    """Write the demo requests missing from the database (see the module doc); report lines."""
    from django.db import transaction

    from citypeers.accounts.models import User
    from citypeers.core.errors import ApplicationError
    from citypeers.directory import demo_data as directory_demo_data
    from citypeers.directory import selectors as directory_selectors

    from . import selectors

    prefix = directory_demo_data.EXTERNAL_ID_PREFIX
    keys = {spec.organisation for spec in REQUESTS}
    keys |= {i.organisation for spec in REQUESTS for i in spec.invitations}
    organisations = directory_selectors.organisations_by_external_id(
        external_ids=[prefix + key for key in keys]
    )
    by_key = {o.external_id.removeprefix(prefix): o for o in organisations.values()}
    if not by_key:
        return []  # no demo organisations (no reference data yet): said by the directory part
    users = {u.username: u for u in User.objects.filter(username__in=_usernames())}
    present = selectors.requests_by_external_id(external_ids=[s.external_id for s in REQUESTS])
    lines, created = [], 0
    for spec in REQUESTS:
        if spec.external_id in present:
            continue
        missing = sorted(
            {spec.organisation, *(i.organisation for i in spec.invitations)} - set(by_key)
        )
        if missing:
            lines.append(
                f"Demo match request {spec.key!r} skipped: no demo organisation "
                f"{', '.join(missing)}."
            )
            continue
        try:
            with transaction.atomic():
                _create(spec, by_key, users)
        except (ApplicationError, KeyError) as exc:  # e.g. a demo person lost their role
            message = exc.message if isinstance(exc, ApplicationError) else f"no user {exc}"
            lines.append(f"Demo match request {spec.key!r} skipped: {message}")
            continue
        created += 1
    lines.append(f"Demo match requests: {created} created, {len(present)} already present.")
    return lines


def _usernames() -> set[str]:
    names = {spec.posted_by for spec in REQUESTS}
    return names | {i.answered_by for spec in REQUESTS for i in spec.invitations if i.answered_by}


def _create(spec: DemoRequest, by_key: dict[str, Any], users: dict[str, Any]) -> None:
    from citypeers.directory import selectors as directory_selectors
    from citypeers.partnerships.models import Partnership
    from citypeers.places.models import Country, Region

    from . import services

    themes = {t.slug: t for t in directory_selectors.theme_list()}
    author = users[spec.posted_by]
    match_request = services.match_request_create(
        actor=author,
        organisation=by_key[spec.organisation],
        title=spec.title,
        text=spec.text,
        language=spec.language,
        themes=[themes[slug] for slug in spec.themes],
        regions=list(Region.objects.filter(m49__in=spec.regions)),
        countries=list(Country.objects.filter(iso3__in=spec.countries)),
        languages=spec.languages,
        modality=spec.modality,
        mode=spec.mode,
        is_demo=True,
        external_id=spec.external_id,
    )
    for invitation_spec in spec.invitations:
        (invitation,) = services.match_invitation_create(
            actor=author,
            match_request=match_request,
            organisations=[by_key[invitation_spec.organisation]],
            message=invitation_spec.message,
        )
        if invitation_spec.outcome in ("accepted", "declined"):
            services.match_invitation_answer(
                actor=users[invitation_spec.answered_by],
                invitation=invitation,
                accept=invitation_spec.outcome == "accepted",
                note=invitation_spec.note,
            )
            invitation.refresh_from_db()
            if invitation.partnership_id:
                # The partnership an acceptance proposed is demo content too.
                Partnership.objects.filter(pk=invitation.partnership_id).update(is_demo=True)
        elif invitation_spec.outcome == "withdrawn":
            services.match_invitation_withdraw(actor=author, invitation=invitation)
    if spec.closed_because:
        services.match_request_close(
            actor=author, match_request=match_request, reason=spec.closed_because
        )
