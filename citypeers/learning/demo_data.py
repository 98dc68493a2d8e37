"""The learning forum's demo data set: invented events, learning notes, news, and discussions
(threads and replies in the communities of two themes and of the world network) of the demo
organisations and people, written in English, French and Spanish.

Everything here was written for demonstration; it describes no real event. Organisers are the
directory's demo organisations (``citypeers.directory.demo_data``, by key); notes link to the
knowledge base's demo practices (``citypeers.knowledge.demo_data``, by key). Dates are set
relative to the day of the first load (past events carry learning notes; upcoming ones take
registrations, one of them full with a waiting list), at local times of each event's zone.

:func:`load` writes them through the learning services — events by a demo person who edits for
an organiser (else ``demo-admin``), registrations by the demo people themselves — keyed by
``external_id`` (``demo:<key>``), so a second load changes nothing. ``citypeers.core.demo`` calls
it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

EXTERNAL_ID_PREFIX = "demo:"


@dataclass(frozen=True)
class DemoNote:
    author: str  # username
    organisation: str  # organisation key
    language: str
    title: str
    shared: str
    shared_by: str
    will_try: str
    follow_ups: str
    practices: tuple[str, ...] = ()  # knowledge demo keys
    becomes_practice: bool = False


@dataclass(frozen=True)
class DemoEvent:
    key: str
    language: str
    title: str
    summary: str
    description: str
    kind: str
    mode: str
    organisers: tuple[str, ...]
    #: days from the first load, the local start hour and the duration in hours
    day: int
    hour: int
    hours: int
    zone: str
    city_of: str = ""  # organisation key whose city hosts the event
    venue: str = ""
    join_url: str = ""
    capacity: int | None = None
    visibility: str = "public"
    languages: tuple[str, ...] = ()
    interpretation: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    sdgs: tuple[int, ...] = ()
    agenda: tuple[tuple[int, int, str, str], ...] = ()  # (hour, minute, title, speakers)
    author: str = ""  # username of the demo person who organises it, else demo-admin
    registrations: tuple[str, ...] = ()  # usernames, in order
    notes: tuple[DemoNote, ...] = field(default_factory=tuple)

    @property
    def external_id(self) -> str:
        return EXTERNAL_ID_PREFIX + self.key


@dataclass(frozen=True)
class DemoNews:
    key: str
    texts: dict[str, tuple[str, str, str]]  # language → (title, summary, body); first: original
    owner: str
    author: str
    themes: tuple[str, ...]
    organisations: tuple[str, ...] = ()
    event: str = ""

    @property
    def external_id(self) -> str:
        return EXTERNAL_ID_PREFIX + self.key


EVENTS: list[DemoEvent] = [
    DemoEvent(
        key="event-kiosk-exchange",
        language="en",
        title="Water kiosks run by women's groups: a Kisumu–Dakar learning exchange (demo)",
        summary="A day in which Kisumu's kiosk operators show Dakar's water team how the "
        "kiosks are run, paid for and kept clean.",
        description=(
            "*Demo event, invented to show the platform.*\n\n"
            "Kisumu's women's groups have run water kiosks in informal settlements for six years. "
            "Dakar is preparing a pilot in two districts. This exchange puts operators, the "
            "utility and the municipal teams of both cities in the same room.\n\n"
            "- how a group is chosen and trained;\n"
            "- tariffs, mobile payment and what happens when the pump breaks;\n"
            "- water quality checks."
        ),
        kind="learning_exchange",
        mode="hybrid",
        organisers=("africa-network", "dakar"),
        day=-40,
        hour=9,
        hours=8,
        zone="Africa/Dakar",
        city_of="dakar",
        venue="Maison de la Culture Douta Seck",
        join_url="https://meet.example.org/demo-kiosk-exchange",
        capacity=30,
        languages=("en", "fr"),
        interpretation=("en", "fr"),
        themes=("water-sanitation", "gender"),
        sdgs=(6, 5),
        agenda=(
            (9, 0, "Welcome and the Dakar pilot in five minutes", "Dakar water team"),
            (9, 30, "How Kisumu's kiosks work", "Kisumu women's groups"),
            (13, 30, "Tariffs and mobile payment", "Utility finance office"),
            (16, 0, "What each city will try", "All"),
        ),
        author="amina",
        notes=(
            DemoNote(
                author="amina",
                organisation="dakar",
                language="en",
                title="What Dakar takes home from Kisumu's kiosks",
                shared=(
                    "Kisumu showed that a kiosk stands or falls with the group running it: "
                    "**training before opening**, a clear split of the takings, and a phone "
                    "number that reaches the utility the same day a pump breaks."
                ),
                shared_by="Kisumu women's groups; Kisumu water office",
                will_try=(
                    "- Dakar: two kiosks in Pikine with groups chosen by the neighbourhood "
                    "councils.\n- Kisumu: try Dakar's SMS alerts for water cuts."
                ),
                follow_ups="A video call in three months; Kisumu sends its training guide.",
                practices=("kisumu-water-kiosks",),
            ),
        ),
    ),
    DemoEvent(
        key="event-shade-workshop",
        language="es",
        title="Taller: corredores de sombra y refugios climáticos (demo)",
        summary="Sevilla comparte cómo planificó sus corredores de sombra; otras ciudades "
        "cuentan sus refugios climáticos.",
        description=(
            "*Evento de demostración, inventado para mostrar la plataforma.*\n\n"
            "Un taller de medio día para equipos de urbanismo y de salud pública: mapas de calor, "
            "árboles y toldos, y la apertura de edificios públicos como refugios."
        ),
        kind="workshop",
        mode="onsite",
        organisers=("sevilla",),
        day=-15,
        hour=10,
        hours=4,
        zone="Europe/Madrid",
        city_of="sevilla",
        venue="Casa de la Ciencia",
        capacity=40,
        languages=("es",),
        themes=("climate-resilience", "public-space"),
        sdgs=(11, 13),
        author="lucia",
        notes=(
            DemoNote(
                author="lucia",
                organisation="sevilla",
                language="es",
                title="Lo que aprendimos sobre refugios climáticos",
                shared=(
                    "Los refugios funcionan cuando la gente los conoce: **señalización**, "
                    "horarios ampliados en julio y agua fresca gratuita."
                ),
                shared_by="Equipos de Sevilla y de las ciudades invitadas",
                will_try="Sevilla abrirá tres bibliotecas como refugio el próximo verano.",
                follow_ups="Compartir el mapa de calor por barrios.",
                practices=("sevilla-shade-corridors",),
                becomes_practice=True,
            ),
        ),
    ),
    DemoEvent(
        key="event-waste-study-visit",
        language="fr",
        title="Visite d'étude : la collecte des déchets par les quartiers à Dakar (démo)",
        summary="Trois jours sur le terrain avec les équipes de pré-collecte de Dakar.",
        description=(
            "*Événement de démonstration, inventé pour présenter la plateforme.*\n\n"
            "Les villes membres de l'association visitent les points de regroupement, rencontrent "
            "les groupements de quartier et discutent du financement de la pré-collecte."
        ),
        kind="study_visit",
        mode="onsite",
        organisers=("dakar", "lga-sen"),
        day=20,
        hour=9,
        hours=56,
        zone="Africa/Dakar",
        city_of="dakar",
        venue="Hôtel de Ville de Dakar",
        capacity=12,
        languages=("fr",),
        interpretation=("en",),
        themes=("waste",),
        sdgs=(11, 12),
        agenda=(
            (9, 0, "Accueil à l'Hôtel de Ville", "Ville de Dakar"),
            (11, 0, "Points de regroupement de la Médina", "Groupements de quartier"),
        ),
        author="amina",
        registrations=("lucia",),
    ),
    DemoEvent(
        key="event-network-forum",
        language="en",
        title="Members' learning forum on local finance (demo)",
        summary="The network's members compare how they raise own-source revenue. Members "
        "only; few seats, so a waiting list forms.",
        description=(
            "*Demo event, invented to show the platform.*\n\n"
            "A closed forum for the network's member cities and associations: property "
            "registers, market fees, participatory budgets and the trust they need."
        ),
        kind="learning_forum",
        mode="hybrid",
        organisers=("world-network",),
        day=10,
        hour=14,
        hours=3,
        zone="Europe/Paris",
        city_of="lyon-metro",
        venue="Demo network secretariat",
        join_url="https://meet.example.org/demo-members-forum",
        capacity=1,
        visibility="members",
        languages=("en", "fr", "es"),
        interpretation=("en", "fr", "es"),
        themes=("local-finance",),
        sdgs=(16, 17),
        registrations=("amina", "lucia"),
    ),
    DemoEvent(
        key="event-heat-webinar",
        language="es",
        title="Webinar abierto: calor extremo y ciudades (demo)",
        summary="Una hora para conocer los planes de calor de tres ciudades. Abierto a todos, "
        "sin límite de plazas.",
        description=(
            "*Evento de demostración, inventado para mostrar la plataforma.*\n\n"
            "Presentaciones breves y preguntas del público."
        ),
        kind="webinar",
        mode="online",
        organisers=("sevilla",),
        day=35,
        hour=17,
        hours=1,
        zone="Europe/Madrid",
        join_url="https://meet.example.org/demo-heat-webinar",
        languages=("es", "en"),
        themes=("climate-resilience", "health"),
        sdgs=(3, 13),
        author="lucia",
        registrations=("amina",),
    ),
    DemoEvent(
        key="event-finance-training",
        language="fr",
        title="Formation en ligne : préparer un budget participatif (démo)",
        summary="Quatre séances pour les équipes financières des communes membres.",
        description=(
            "*Événement de démonstration, inventé pour présenter la plateforme.*\n\n"
            "Calendrier budgétaire, assemblées de quartier, suivi des projets votés."
        ),
        kind="training",
        mode="online",
        organisers=("lga-sen",),
        day=60,
        hour=10,
        hours=2,
        zone="Africa/Dakar",
        join_url="https://meet.example.org/demo-budget-training",
        capacity=25,
        languages=("fr",),
        themes=("local-finance",),
        sdgs=(16,),
        author="amina",
    ),
]

NEWS: list[DemoNews] = [
    DemoNews(
        key="news-kiosks",
        texts={
            "en": (
                "Dakar opens its first water kiosks after learning from Kisumu (demo)",
                "Two kiosks run by women's groups opened in Pikine, a pilot born of a learning "
                "exchange.",
                "*Demo article, invented to show the platform.*\n\nThe pilot follows the "
                "exchange with Kisumu: groups trained before opening, mobile payment, and a "
                "same-day repair line.",
            ),
            "fr": (
                "Dakar ouvre ses premiers kiosques à eau après l'échange avec Kisumu (démo)",
                "Deux kiosques gérés par des groupements de femmes ouvrent à Pikine.",
                "*Article de démonstration, inventé pour présenter la plateforme.*\n\nLe projet "
                "pilote suit l'échange avec Kisumu.",
            ),
        },
        owner="dakar",
        author="amina",
        themes=("water-sanitation", "gender"),
        organisations=("kisumu", "africa-network"),
        event="event-kiosk-exchange",
    ),
    DemoNews(
        key="news-shade",
        texts={
            "es": (
                "Sevilla abrirá bibliotecas como refugios climáticos (demo)",
                "Tres bibliotecas abrirán en horario ampliado durante las olas de calor.",
                "*Artículo de demostración, inventado para mostrar la plataforma.*\n\nLa medida "
                "nace del taller sobre corredores de sombra.",
            ),
            "en": (
                "Sevilla to open libraries as climate shelters (demo)",
                "Three libraries will open longer hours during heatwaves.",
                "*Demo article, invented to show the platform.*",
            ),
        },
        owner="sevilla",
        author="lucia",
        themes=("climate-resilience",),
        event="event-shade-workshop",
    ),
    DemoNews(
        key="news-network",
        texts={
            "fr": (
                "Le réseau lance un forum des membres sur les finances locales (démo)",
                "Un forum fermé pour comparer les recettes propres des villes membres.",
                "*Article de démonstration, inventé pour présenter la plateforme.*",
            ),
            "es": (
                "La red lanza un foro de miembros sobre finanzas locales (demo)",
                "Un foro cerrado para comparar los ingresos propios de las ciudades miembro.",
                "*Artículo de demostración, inventado para mostrar la plataforma.*",
            ),
        },
        owner="world-network",
        author="",
        themes=("local-finance",),
    ),
]


def _when(spec: DemoEvent, today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The event's start and end: a local hour of its zone, ``day`` days from ``today``."""
    zone = zoneinfo.ZoneInfo(spec.zone)
    start = dt.datetime.combine(today + dt.timedelta(days=spec.day), dt.time(spec.hour), zone)
    return start, start + dt.timedelta(hours=spec.hours)


def load() -> list[str]:
    """Write the demo events, notes and news that are not there yet (see the module doc)."""
    from citypeers.accounts.models import User
    from citypeers.core.errors import ApplicationError
    from citypeers.directory import demo_data as directory_demo
    from citypeers.directory import selectors as directory_selectors
    from citypeers.knowledge import demo_data as knowledge_demo
    from citypeers.knowledge import selectors as knowledge_selectors
    from citypeers.places import selectors as places_selectors

    from . import selectors, services

    keys = {
        k for e in EVENTS for k in (*e.organisers, e.city_of, *(n.organisation for n in e.notes))
    }
    keys |= {k for n in NEWS for k in (n.owner, *n.organisations)}
    organisations = directory_selectors.organisations_by_external_id(
        external_ids=[directory_demo.EXTERNAL_ID_PREFIX + k for k in keys if k]
    )
    by_key = {
        o.external_id.removeprefix(directory_demo.EXTERNAL_ID_PREFIX): o
        for o in organisations.values()
    }
    if not by_key:
        return []  # no demo organisations (no reference data yet): said by the directory part
    admin = User.objects.get(username="demo-admin")
    people = {u.username: u for u in User.objects.filter(username__in=["amina", "lucia"])}
    themes = {t.slug: t for t in directory_selectors.theme_list()}
    sdgs = {s.number: s for s in places_selectors.sdg_list()}
    practices = knowledge_selectors.practices_by_external_id(
        external_ids=[
            knowledge_demo.EXTERNAL_ID_PREFIX + k
            for e in EVENTS
            for n in e.notes
            for k in n.practices
        ]
    )
    present = selectors.events_by_external_id(external_ids=[e.external_id for e in EVENTS])
    kept = len(present)
    today = timezone.localdate()
    lines: list[str] = []
    created = 0
    for spec in EVENTS:
        if spec.external_id in present:
            continue
        missing = [k for k in spec.organisers if k not in by_key]
        if missing:
            lines.append(
                f"Demo event {spec.key!r} skipped: no demo organisation {', '.join(missing)}."
            )
            continue
        author = people.get(spec.author, admin)
        starts_at, ends_at = _when(spec, today)
        host = by_key.get(spec.city_of)
        try:
            with transaction.atomic():
                event = services.event_create(
                    actor=author,
                    data=services.EventData(
                        title=spec.title,
                        kind=spec.kind,
                        attendance_mode=spec.mode,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        time_zone=spec.zone,
                        organisers=[by_key[k] for k in spec.organisers],
                        summary=spec.summary,
                        description=spec.description,
                        language=spec.language,
                        visibility=spec.visibility,
                        city=host.city if host is not None and spec.mode != "online" else None,
                        venue=spec.venue,
                        join_url=spec.join_url,
                        languages=spec.languages,
                        interpretation=spec.interpretation,
                        capacity=spec.capacity,
                        themes=[themes[s] for s in spec.themes if s in themes],
                        sdgs=[sdgs[n] for n in spec.sdgs if n in sdgs],
                        agenda=[
                            services.AgendaEntry(
                                title=title,
                                starts_at=starts_at.replace(hour=h, minute=m),
                                speakers=speakers,
                            )
                            for h, m, title, speakers in spec.agenda
                        ],
                    ),
                    publish=True,
                    is_demo=True,
                    external_id=spec.external_id,
                )
                for username in spec.registrations:
                    if username in people:
                        services.registration_create(actor=people[username], event=event)
                for note_spec in spec.notes:
                    _note(note_spec, event, people, admin, by_key, practices, knowledge_demo)
        except ApplicationError as exc:  # e.g. a demo person lost their role
            lines.append(f"Demo event {spec.key!r} skipped: {exc.message}")
            continue
        present[spec.external_id] = event
        created += 1
    lines.append(f"Demo events: {created} created, {kept} already present.")
    lines += _news(by_key, people, admin, themes, present)
    lines += load_discussions()
    return lines


def _note(
    spec: DemoNote,
    event: Any,
    people: dict[str, Any],
    admin: Any,
    by_key: dict[str, Any],
    practices: dict[str, Any],
    knowledge_demo: Any,
) -> None:
    from . import services

    author = people.get(spec.author, admin)
    note = services.note_create(
        actor=author,
        event=event,
        data=services.NoteData(
            title=spec.title,
            language=spec.language,
            shared=spec.shared,
            shared_by=spec.shared_by,
            will_try=spec.will_try,
            follow_ups=spec.follow_ups,
            organisation=by_key.get(spec.organisation),
            practices=[
                practices[knowledge_demo.EXTERNAL_ID_PREFIX + k]
                for k in spec.practices
                if knowledge_demo.EXTERNAL_ID_PREFIX + k in practices
            ],
        ),
        is_demo=True,
    )
    if spec.becomes_practice:
        services.note_make_practice(actor=author, note=note)


def _news(
    by_key: dict[str, Any],
    people: dict[str, Any],
    admin: Any,
    themes: dict[str, Any],
    events: dict[str, Any],
) -> list[str]:
    from citypeers.core.errors import ApplicationError

    from . import selectors, services

    present = selectors.news_by_external_id(external_ids=[n.external_id for n in NEWS])
    created = 0
    lines = []
    for spec in NEWS:
        if spec.external_id in present or spec.owner not in by_key:
            continue
        author = people.get(spec.author, admin)
        (language, (title, summary, body)), *translations = spec.texts.items()
        try:
            with transaction.atomic():
                article = services.news_create(
                    actor=author,
                    language=language,
                    texts={"title": title, "summary": summary, "body": body},
                    facts=services.NewsFacts(
                        owner=by_key[spec.owner],
                        organisations=[by_key[k] for k in spec.organisations if k in by_key],
                        themes=[themes[s] for s in spec.themes if s in themes],
                        event=events.get(EXTERNAL_ID_PREFIX + spec.event) if spec.event else None,
                    ),
                    external_id=spec.external_id,
                    is_demo=True,
                )
                for lang, (t, s, b) in translations:
                    services.news_translate(
                        actor=author,
                        article=article,
                        language=lang,
                        texts={"title": t, "summary": s, "body": b},
                    )
                services.news_set_status(actor=admin, article=article, status="published")
        except ApplicationError as exc:
            lines.append(f"Demo article {spec.key!r} skipped: {exc.message}")
            continue
        created += 1
    lines.append(f"Demo news: {created} created, {len(present)} already present.")
    return lines


# --- discussions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoReply:
    author: str  # username
    body: str
    helpful: bool = False  # marked helpful by the thread's author


@dataclass(frozen=True)
class DemoThread:
    community: str  # a theme slug, or "network:<organisation key>"
    author: str
    language: str
    title: str
    body: str
    replies: tuple[DemoReply, ...] = ()


#: The demo network whose community is opened (by its admin, ``demo-admin``).
DEMO_NETWORK = "world-network"
DEMO_FOLLOWS: tuple[tuple[str, str], ...] = (
    ("amina", "water-sanitation"),
    ("amina", "gender"),
    ("lucia", "local-finance"),
)

THREADS: list[DemoThread] = [
    DemoThread(
        community="water-sanitation",
        author="amina",
        language="fr",
        title="Kiosques à eau : quel tarif social pour les ménages les plus pauvres ? (démo)",
        body=(
            "*Discussion de démonstration, inventée pour montrer la plateforme.*\n\n"
            "À Dakar, nous préparons deux kiosques pilotes. Le service des eaux propose un prix "
            "unique au seau ; les associations de quartier demandent **un tarif réduit** pour "
            "les familles les plus pauvres.\n\n"
            "- Comment avez-vous identifié les ménages qui y ont droit ?\n"
            "- Qui paie la différence : la commune, l'opérateur, les autres usagers ?\n\n"
            "@lucia, Séville a-t-elle une expérience comparable avec les tarifs sociaux ?"
        ),
        replies=(
            DemoReply(
                author="lucia",
                body=(
                    "*Respuesta de demostración.*\n\n"
                    "En Sevilla el **bono social del agua** se concede con el informe de los "
                    "servicios sociales municipales, no con una declaración de ingresos: es más "
                    "rápido y llega a quien no tiene contrato de alquiler. La diferencia la paga "
                    "la empresa municipal con un pequeño recargo en los tramos de alto consumo."
                ),
            ),
            DemoReply(
                author="demo-admin",
                body=(
                    "*Demo reply.*\n\n"
                    "Kisumu's kiosks (see the [learning exchange](/en/learning/) notes) keep one "
                    "price per jerrican but give the women's groups a monthly quota of free "
                    "water for households the ward committee names. Cheap to run, and the "
                    "list is public at the kiosk, which keeps it honest."
                ),
                helpful=True,
            ),
        ),
    ),
    DemoThread(
        community="local-finance",
        author="lucia",
        language="es",
        title="Presupuestos participativos: ¿cómo llegar a los barrios informales? (demo)",
        body=(
            "*Hilo de demostración, inventado para mostrar la plataforma.*\n\n"
            "Nuestras asambleas de presupuesto participativo atraen sobre todo a vecinos "
            "organizados de barrios consolidados. ¿Qué os ha funcionado para que participen "
            "los asentamientos informales: votación móvil, asambleas en el propio barrio, "
            "cuotas de proyectos?"
        ),
        replies=(
            DemoReply(
                author="amina",
                body=(
                    "*Réponse de démonstration.*\n\n"
                    "Au Sénégal, plusieurs communes réservent **une part fixe de l'enveloppe** "
                    "aux quartiers non lotis et tiennent l'assemblée sur place, le week-end, en "
                    "wolof. Le vote par SMS a aidé les jeunes, moins les femmes âgées."
                ),
                helpful=True,
            ),
        ),
    ),
    DemoThread(
        community=f"network:{DEMO_NETWORK}",
        author="demo-admin",
        language="en",
        title="Which themes should next year's peer-learning programme focus on? (demo)",
        body=(
            "*Demo thread, invented to show the platform.*\n\n"
            "The network's secretariat is drafting next year's programme of exchanges. Members: "
            "which **two themes** would you put first, and which member could host a study "
            "visit on them?"
        ),
        replies=(
            DemoReply(
                author="amina",
                body=(
                    "*Demo reply.*\n\n"
                    "Water and sanitation in informal settlements, and climate resilience of "
                    "coastal districts. Dakar could host a visit on the second."
                ),
            ),
            DemoReply(
                author="lucia",
                body=(
                    "*Respuesta de demostración.*\n\n"
                    "Finanzas locales: cómo financiar el mantenimiento, no solo la obra. "
                    "Sevilla puede acoger una visita sobre su presupuesto participativo."
                ),
            ),
        ),
    ),
]


def load_discussions() -> list[str]:
    """Write the demo community of the network, the demo threads and their replies (each thread
    once: a thread already there by its title is kept as it is), and the demo people's follows."""
    from citypeers.accounts.models import User
    from citypeers.core.errors import ApplicationError
    from citypeers.directory import demo_data as directory_demo
    from citypeers.directory import selectors as directory_selectors

    from . import discussions, follows, selectors
    from .models import Community, Thread

    people = {
        u.username: u for u in User.objects.filter(username__in=["amina", "lucia", "demo-admin"])
    }
    if "demo-admin" not in people:
        return []
    network = directory_selectors.organisations_by_external_id(
        external_ids=[directory_demo.EXTERNAL_ID_PREFIX + DEMO_NETWORK]
    ).get(directory_demo.EXTERNAL_ID_PREFIX + DEMO_NETWORK)
    discussions.theme_communities_ensure()
    communities = {row.community.slug: row.community for row in selectors.community_list()}
    lines: list[str] = []
    network_community: Any = None
    if network is not None:
        by_org = {c.organisation_id: c for c in communities.values() if c.organisation_id}
        if network.pk not in by_org:
            by_org[network.pk] = discussions.community_open(
                actor=people["demo-admin"],
                organisation=network,
                description=(
                    "*Demo community.* Members of the network and of its member associations "
                    "compare notes between the network's events."
                ),
                is_demo=True,
            )
        network_community = by_org[network.pk]
    present = set(Thread.objects.filter(is_demo=True).values_list("title", flat=True))
    themes = {c.theme.slug: c for c in communities.values() if c.theme is not None}
    created = 0
    for spec in THREADS:
        if spec.title in present or spec.author not in people:
            continue
        community: Community | None = (
            network_community
            if spec.community.startswith("network:")
            else themes.get(spec.community)
        )
        if community is None:
            lines.append(f"Demo thread {spec.title[:40]!r} skipped: no community.")
            continue
        author = people[spec.author]
        try:
            with transaction.atomic():
                thread = discussions.thread_create(
                    actor=author,
                    community=community,
                    title=spec.title,
                    body=spec.body,
                    language=spec.language,
                    is_demo=True,
                )
                for reply_spec in spec.replies:
                    if reply_spec.author not in people:
                        continue
                    reply = discussions.reply_create(
                        actor=people[reply_spec.author],
                        thread=thread,
                        body=reply_spec.body,
                        is_demo=True,
                    )
                    if reply_spec.helpful:
                        discussions.reply_set_helpful(actor=author, reply=reply)
        except ApplicationError as exc:  # e.g. a demo person lost their role in the network
            lines.append(f"Demo thread {spec.title[:40]!r} skipped: {exc.message}")
            continue
        created += 1
    for username, slug in DEMO_FOLLOWS:
        theme = themes.get(slug)
        if username in people and theme is not None and theme.theme is not None:
            follows.follow(actor=people[username], theme=theme.theme)
    lines.append(f"Demo threads: {created} created, {len(present)} already present.")
    return lines
