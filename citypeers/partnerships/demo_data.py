"""The partnership registry's demo data set: invented partnerships among the demo organisations.

Everything here is written by the project for demonstration; it describes no real cooperation.
The members are the directory's demo organisations (``citypeers.directory.demo_data``, by key).
Together the partnerships cover every modality, every geography class (derived from the members'
countries, never written here), every status a visitor can meet — active, dormant, ended with a
reason, and two proposals waiting for an answer from organisations the demo people edit for — and
carry objectives, activities from 2019 to 2026, results with indicators, agreements, and the
capacity self-assessments of the members of association-to-association programmes.

``citypeers.core.demo`` loads it through the partnership services, keyed by ``external_id``
(``demo:<key>``, source ``demo``), so a second load changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

SOURCE = "demo"
EXTERNAL_ID_PREFIX = "demo:"

D = dt.date


@dataclass(frozen=True)
class DemoActivity:
    kind: str
    title: str
    start: dt.date
    end: dt.date | None = None
    #: key of the demo organisation whose city hosts it
    host: str = ""
    participants: tuple[str, ...] = ()
    participant_count: int | None = None
    description: str = ""


@dataclass(frozen=True)
class DemoIndicator:
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    actual: Decimal | None
    baseline_on: dt.date
    measured_on: dt.date | None


@dataclass(frozen=True)
class DemoResult:
    title: str
    #: position of the objective it serves, in ``DemoPartnership.objectives``
    objective: int | None
    achieved_on: dt.date | None
    description: str = ""
    indicators: tuple[DemoIndicator, ...] = ()


@dataclass(frozen=True)
class DemoAssessment:
    organisation: str
    assessed_on: dt.date
    kind: str  # baseline / follow_up
    #: dimension slug → (level 1–5, evidence)
    scores: dict[str, tuple[int, str]]


@dataclass(frozen=True)
class DemoPartnership:
    key: str
    title: str
    modality: str
    #: (organisation key, role)
    members: tuple[tuple[str, str], ...]
    started_on: dt.date | None
    original_language: str
    descriptions: dict[str, str]
    themes: tuple[str, ...] = ()
    sdgs: tuple[int, ...] = ()
    objectives: tuple[str, ...] = ()
    #: active, dormant, ended, or proposed (by ``proposed_by`` for the first member)
    status: str = "active"
    #: for dormant and ended partnerships: when, and (ended) why
    status_on: dt.date | None = None
    end_reason: str = ""
    #: username of the demo person who proposes it, as editor of the first member
    proposed_by: str = ""
    activities: tuple[DemoActivity, ...] = ()
    results: tuple[DemoResult, ...] = ()
    #: (title, signed on, link)
    agreement: tuple[str, dt.date, str] | None = None
    assessments: tuple[DemoAssessment, ...] = field(default=())

    @property
    def external_id(self) -> str:
        return EXTERNAL_ID_PREFIX + self.key


P, A, R, Ind, C = DemoPartnership, DemoActivity, DemoResult, DemoIndicator, DemoAssessment
DOCS = "https://example.org/citypeers-demo/agreements/"

PARTNERSHIPS: list[DemoPartnership] = [
    # --- Twinning / sister cities -----------------------------------------------------------------
    P(
        "saint-louis-grenoble",
        "Jumelage Saint-Louis – Grenoble",
        "twinning",
        (("saint-louis", "partner"), ("grenoble", "partner")),
        D(2019, 3, 15),
        "fr",
        {
            "fr": "Partenariat de démonstration. Deux villes de fleuve échangent sur la "
            "protection contre les crues, le patrimoine bâti et les échanges de jeunes.",
            "en": "Demo partnership. Two river cities exchange on flood protection, built "
            "heritage and youth exchanges.",
        },
        themes=("culture", "climate-resilience", "education"),
        sdgs=(11, 13),
        objectives=(
            "Protéger le patrimoine bâti de l'île face aux crues",
            "Organiser un échange de jeunes chaque année",
        ),
        activities=(
            A(
                "exchange_visit",
                "Visite des services techniques grenoblois",
                D(2019, 10, 7),
                D(2019, 10, 11),
                host="grenoble",
                participants=("saint-louis", "grenoble"),
                participant_count=8,
                description="Digues, alerte aux crues et gestion des berges de l'Isère.",
            ),
            A(
                "joint_project",
                "Inventaire participatif des façades de l'île",
                D(2021, 2, 1),
                D(2022, 6, 30),
                host="saint-louis",
                participants=("saint-louis", "grenoble"),
                participant_count=40,
            ),
            A(
                "learning_event",
                "Festival jeunesse des deux rives",
                D(2024, 7, 8),
                D(2024, 7, 14),
                host="saint-louis",
                participant_count=120,
            ),
        ),
        results=(
            R(
                "Inventaire des façades publié et remis aux propriétaires",
                0,
                D(2022, 6, 30),
                indicators=(
                    Ind(
                        "Façades inventoriées",
                        "façades",
                        Decimal(0),
                        Decimal(400),
                        Decimal(436),
                        D(2021, 2, 1),
                        D(2022, 6, 30),
                    ),
                ),
            ),
        ),
        agreement=(
            "Charte de jumelage",
            D(2019, 3, 15),
            DOCS + "saint-louis-grenoble-charte.pdf",
        ),
    ),
    P(
        "malmo-utrecht",
        "Malmö – Utrecht sister cities",
        "twinning",
        (("malmo", "partner"), ("utrecht", "partner")),
        D(2019, 5, 2),
        "en",
        {
            "en": "Demo partnership. Two cycling cities compare bicycle parking at stations "
            "and school streets. Quiet since the 2023 exchange.",
            "es": "Asociación de demostración. Dos ciudades ciclistas comparan el "
            "aparcamiento de bicicletas en estaciones y las calles escolares.",
        },
        themes=("mobility",),
        sdgs=(11,),
        objectives=("Share designs of large station bicycle parkings",),
        status="dormant",
        status_on=D(2024, 1, 31),
        activities=(
            A(
                "study_tour",
                "Study tour of the Utrecht Centraal bicycle parking",
                D(2019, 9, 17),
                D(2019, 9, 19),
                host="utrecht",
                participants=("malmo",),
                participant_count=6,
            ),
            A(
                "exchange_visit",
                "School streets week in Malmö",
                D(2023, 5, 8),
                D(2023, 5, 12),
                host="malmo",
                participants=("utrecht",),
                participant_count=5,
            ),
        ),
    ),
    P(
        "sevilla-rosario",
        "Hermanamiento Sevilla – Rosario",
        "twinning",
        (("sevilla", "partner"), ("rosario", "partner")),
        D(2020, 11, 20),
        "es",
        {
            "es": "Asociación de demostración. Dos ciudades de río con un casco histórico "
            "vivo trabajan juntas en la sombra urbana y en la gestión de sus riberas.",
        },
        themes=("public-space", "climate-resilience"),
        sdgs=(11, 13),
        objectives=(
            "Plantar corredores de sombra en los barrios más calurosos",
            "Abrir las riberas al paseo público",
        ),
        activities=(
            A(
                "exchange_visit",
                "Visita técnica a los toldos y corredores verdes de Sevilla",
                D(2022, 6, 13),
                D(2022, 6, 17),
                host="sevilla",
                participants=("rosario",),
                participant_count=7,
            ),
            A(
                "technical_assistance",
                "Asistencia técnica para el plan de arbolado de Rosario",
                D(2023, 3, 1),
                D(2023, 11, 30),
                host="rosario",
                participants=("sevilla", "rosario"),
            ),
        ),
        results=(
            R(
                "Plan de arbolado aprobado por el Concejo de Rosario",
                0,
                D(2024, 4, 10),
                indicators=(
                    Ind(
                        "Árboles plantados en corredores de sombra",
                        "árboles",
                        Decimal(0),
                        Decimal(5000),
                        Decimal(3120),
                        D(2023, 1, 1),
                        D(2025, 12, 31),
                    ),
                ),
            ),
        ),
        agreement=(
            "Acuerdo de hermanamiento",
            D(2020, 11, 20),
            DOCS + "sevilla-rosario-acuerdo.pdf",
        ),
    ),
    P(
        "brisbane-busan",
        "Brisbane – Busan sister cities",
        "twinning",
        (("brisbane", "partner"), ("busan-metro", "partner")),
        D(2019, 8, 1),
        "en",
        {
            "en": "Demo partnership. Two port cities exchange on port–city waterfronts, "
            "typhoon and cyclone preparedness, and student exchanges.",
        },
        themes=("climate-resilience", "education"),
        sdgs=(11, 4),
        objectives=("Compare cyclone and typhoon preparedness plans",),
        activities=(
            A(
                "learning_event",
                "Joint webinar on early warning for tropical storms",
                D(2021, 11, 24),
                participants=("brisbane", "busan-metro"),
                participant_count=85,
            ),
            A(
                "exchange_visit",
                "Waterfront renewal visit to Busan North Port",
                D(2025, 4, 21),
                D(2025, 4, 25),
                host="busan-metro",
                participants=("brisbane",),
                participant_count=9,
            ),
        ),
    ),
    P(
        "durban-kisumu",
        "Durban – Kisumu twinning",
        "twinning",
        (("durban", "partner"), ("kisumu", "partner")),
        D(2019, 2, 14),
        "en",
        {
            "en": "Demo partnership. A twinning between two African cities on water: "
            "Durban's experience of water-loss teams shared with a lakeside city.",
        },
        themes=("water-sanitation",),
        sdgs=(6,),
        objectives=("Set up a water-loss unit in Kisumu",),
        status="ended",
        status_on=D(2023, 6, 30),
        end_reason="The twinning was folded into the regional water programme of the two "
        "associations, which now carries the exchange.",
        activities=(
            A(
                "secondment",
                "Secondment of a Durban water-loss engineer to Kisumu",
                D(2020, 1, 13),
                D(2020, 3, 13),
                host="kisumu",
                participants=("durban",),
                participant_count=1,
            ),
            A(
                "training",
                "Training of Kisumu meter readers",
                D(2021, 9, 6),
                D(2021, 9, 10),
                host="kisumu",
                participant_count=24,
            ),
        ),
        results=(
            R(
                "Water-loss unit working in Kisumu",
                0,
                D(2022, 12, 1),
                indicators=(
                    Ind(
                        "Non-revenue water",
                        "%",
                        Decimal(44),
                        Decimal(30),
                        Decimal("36.5"),
                        D(2019, 12, 31),
                        D(2023, 6, 30),
                    ),
                ),
            ),
        ),
    ),
    # --- City-to-city cooperation -----------------------------------------------------------------
    P(
        "dakar-durban-coast",
        "Dakar – Durban coastal erosion exchange",
        "c2c",
        (("dakar", "lead"), ("durban", "partner")),
        D(2021, 4, 1),
        "fr",
        {
            "fr": "Partenariat de démonstration. Deux villes côtières partagent leurs "
            "méthodes de suivi de l'érosion et de recharge des plages.",
            "en": "Demo partnership. Two coastal cities share how they monitor erosion and "
            "replenish beaches.",
            "es": "Asociación de demostración. Dos ciudades costeras comparten cómo "
            "vigilan la erosión y regeneran sus playas.",
        },
        themes=("climate-resilience",),
        sdgs=(13, 14),
        objectives=(
            "Suivre le trait de côte chaque saison",
            "Protéger les quartiers de la corniche",
        ),
        activities=(
            A(
                "exchange_visit",
                "Visite du programme de recharge des plages de Durban",
                D(2021, 11, 15),
                D(2021, 11, 19),
                host="durban",
                participants=("dakar",),
                participant_count=6,
            ),
            A(
                "technical_assistance",
                "Appui au suivi du trait de côte par drone",
                D(2022, 5, 2),
                D(2022, 12, 16),
                host="dakar",
                participants=("dakar", "durban"),
            ),
            A(
                "learning_event",
                "Atelier d'apprentissage sur les ouvrages doux",
                D(2025, 3, 10),
                host="dakar",
                participant_count=45,
            ),
        ),
        results=(
            R(
                "Suivi saisonnier du trait de côte en place",
                0,
                D(2023, 1, 31),
                indicators=(
                    Ind(
                        "Kilomètres de côte suivis",
                        "km",
                        Decimal(0),
                        Decimal(30),
                        Decimal(27),
                        D(2021, 4, 1),
                        D(2023, 1, 31),
                    ),
                ),
            ),
        ),
    ),
    P(
        "kisumu-utrecht-water",
        "Kisumu – Utrecht water loss reduction",
        "c2c",
        (("kisumu", "lead"), ("utrecht", "partner"), ("private-bonn", "facilitator")),
        D(2022, 1, 10),
        "en",
        {
            "en": "Demo partnership. Utrecht's water engineers and a German firm help Kisumu "
            "find and fix leaks in its network.",
            "fr": "Partenariat de démonstration. Les ingénieurs d'Utrecht et une entreprise "
            "allemande aident Kisumu à repérer et réparer les fuites de son réseau.",
        },
        themes=("water-sanitation", "basic-services"),
        sdgs=(6,),
        objectives=("Reduce non-revenue water", "Map the network in GIS"),
        activities=(
            A(
                "technical_assistance",
                "District metering areas designed with Kisumu engineers",
                D(2022, 3, 1),
                D(2022, 9, 30),
                host="kisumu",
                participants=("kisumu", "private-bonn"),
            ),
            A(
                "training",
                "GIS training for the network team",
                D(2023, 2, 6),
                D(2023, 2, 17),
                host="kisumu",
                participants=("kisumu", "utrecht"),
                participant_count=14,
            ),
        ),
        results=(
            R(
                "Network mapped in GIS",
                1,
                D(2023, 12, 15),
                indicators=(
                    Ind(
                        "Network mapped",
                        "%",
                        Decimal(15),
                        Decimal(100),
                        Decimal(82),
                        D(2022, 1, 10),
                        D(2023, 12, 15),
                    ),
                ),
            ),
            R(
                "Non-revenue water reduced",
                0,
                None,
                indicators=(
                    Ind(
                        "Non-revenue water",
                        "%",
                        Decimal(41),
                        Decimal(28),
                        Decimal(35),
                        D(2022, 1, 10),
                        D(2025, 6, 30),
                    ),
                ),
            ),
        ),
        agreement=("Memorandum of understanding", D(2021, 12, 6), DOCS + "kisumu-utrecht.pdf"),
    ),
    P(
        "andean-cable-cars",
        "Medellín – Quito – Porto Alegre: cable cars and integrated mobility",
        "c2c",
        (("medellin", "lead"), ("quito-metro", "partner"), ("porto-alegre", "partner")),
        D(2019, 6, 3),
        "es",
        {
            "es": "Asociación de demostración. Medellín comparte su experiencia de "
            "metrocables integrados a la red de transporte con Quito y Porto Alegre.",
            "en": "Demo partnership. Medellín shares how it integrated cable cars into its "
            "transport network with Quito and Porto Alegre.",
        },
        themes=("mobility", "public-space"),
        sdgs=(11,),
        objectives=("Integrar el cable aéreo con la red de buses",),
        activities=(
            A(
                "study_tour",
                "Recorrido técnico por las líneas de metrocable",
                D(2019, 10, 21),
                D(2019, 10, 25),
                host="medellin",
                participants=("quito-metro", "porto-alegre"),
                participant_count=18,
            ),
            A(
                "learning_event",
                "Foro de aprendizaje sobre tarifa integrada",
                D(2024, 9, 12),
                host="quito-metro",
                participants=("medellin", "quito-metro", "porto-alegre"),
                participant_count=60,
            ),
        ),
    ),
    P(
        "pune-surabaya-compost",
        "Pune – Surabaya: from waste to compost",
        "c2c",
        (("surabaya", "lead"), ("pune", "partner"), ("asia-pacific-network", "facilitator")),
        D(2020, 9, 1),
        "en",
        {
            "en": "Demo partnership. Surabaya's neighbourhood composting houses and Pune's "
            "waste-picker cooperative learn from each other, facilitated by the regional "
            "network.",
        },
        themes=("waste",),
        sdgs=(11, 12),
        objectives=("Compost half of the organic waste of pilot wards",),
        activities=(
            A(
                "exchange_visit",
                "Visit to Surabaya's composting houses",
                D(2022, 8, 15),
                D(2022, 8, 19),
                host="surabaya",
                participants=("pune",),
                participant_count=8,
            ),
            A(
                "exchange_visit",
                "Visit to Pune's waste-picker cooperative",
                D(2023, 1, 23),
                D(2023, 1, 27),
                host="pune",
                participants=("surabaya",),
                participant_count=8,
            ),
        ),
        results=(
            R(
                "Composting in pilot wards",
                0,
                D(2024, 12, 31),
                indicators=(
                    Ind(
                        "Organic waste composted in pilot wards",
                        "%",
                        Decimal(8),
                        Decimal(50),
                        Decimal(38),
                        D(2021, 1, 1),
                        D(2024, 12, 31),
                    ),
                ),
            ),
        ),
    ),
    P(
        "amman-quezon-floods",
        "Amman – Quezon City flash-flood early warning",
        "c2c",
        (("quezon-city", "partner"), ("amman", "partner")),
        D(2023, 2, 1),
        "en",
        {
            "en": "Demo partnership. Two cities hit by flash floods compare early-warning "
            "sensors and how they reach residents of informal areas.",
        },
        themes=("climate-resilience", "digital"),
        sdgs=(11, 13),
        objectives=("Warn every resident of flood-prone areas within ten minutes",),
        activities=(
            A(
                "learning_event",
                "Online exchange on low-cost river sensors",
                D(2023, 5, 16),
                participants=("quezon-city", "amman"),
                participant_count=30,
            ),
            A(
                "study_tour",
                "Quezon City's community flood drills",
                D(2026, 6, 8),
                D(2026, 6, 12),
                host="quezon-city",
                participants=("amman",),
                participant_count=7,
            ),
        ),
    ),
    P(
        "montreal-ouagadougou",
        "Montréal – Ouagadougou : agriculture urbaine",
        "c2c",
        (("montreal", "partner"), ("ouagadougou", "partner")),
        D(2019, 4, 8),
        "fr",
        {
            "fr": "Partenariat de démonstration. Jardins collectifs et maraîchage en "
            "ceinture verte : deux villes francophones échangent leurs pratiques.",
        },
        themes=("food-systems", "urban-rural-linkages"),
        sdgs=(2, 11),
        objectives=("Créer des jardins collectifs dans la ceinture verte",),
        status="ended",
        status_on=D(2022, 12, 31),
        end_reason="Fin du financement du programme ; les jardins sont désormais gérés par "
        "les associations de quartier.",
        activities=(
            A(
                "technical_assistance",
                "Appui à la création de douze jardins collectifs",
                D(2019, 10, 1),
                D(2021, 6, 30),
                host="ouagadougou",
                participants=("montreal", "ouagadougou"),
            ),
        ),
        results=(
            R(
                "Jardins collectifs en activité",
                0,
                D(2022, 12, 31),
                indicators=(
                    Ind(
                        "Jardins collectifs",
                        "jardins",
                        Decimal(2),
                        Decimal(12),
                        Decimal(14),
                        D(2019, 4, 8),
                        D(2022, 12, 31),
                    ),
                ),
            ),
        ),
    ),
    P(
        "lyon-porto-alegre-budget",
        "Lyon – Porto Alegre : budget participatif",
        "c2c",
        (("lyon-metro", "partner"), ("porto-alegre", "partner")),
        D(2020, 2, 3),
        "fr",
        {
            "fr": "Partenariat de démonstration. La métropole apprend de l'expérience "
            "historique de Porto Alegre en budget participatif.",
            "es": "Asociación de demostración. La metrópoli aprende de la experiencia "
            "histórica de Porto Alegre en presupuesto participativo.",
        },
        themes=("governance-participation", "local-finance"),
        sdgs=(16,),
        objectives=("Lancer un budget participatif métropolitain",),
        status="dormant",
        status_on=D(2023, 9, 1),
        activities=(
            A(
                "study_tour",
                "Voyage d'étude aux assemblées de quartier",
                D(2021, 3, 22),
                D(2021, 3, 26),
                host="porto-alegre",
                participants=("lyon-metro",),
                participant_count=10,
            ),
        ),
    ),
    P(
        "pacific-seawalls",
        "Suva – Apia – Auckland: nature-based coastal protection",
        "c2c",
        (("suva", "lead"), ("apia", "partner"), ("auckland", "partner")),
        D(2022, 7, 1),
        "en",
        {
            "en": "Demo partnership. Two Pacific island capitals and Auckland test mangrove "
            "and living-shoreline protection instead of concrete seawalls.",
        },
        themes=("climate-resilience",),
        sdgs=(13, 14),
        objectives=("Restore mangroves along exposed shores",),
        activities=(
            A(
                "joint_project",
                "Mangrove nurseries in Suva and Apia",
                D(2022, 10, 1),
                D(2025, 9, 30),
                host="suva",
                participants=("suva", "apia", "auckland"),
            ),
            A(
                "training",
                "Coastal monitoring training by Auckland's team",
                D(2023, 8, 14),
                D(2023, 8, 18),
                host="apia",
                participants=("auckland",),
                participant_count=20,
            ),
        ),
        results=(
            R(
                "Mangroves replanted",
                0,
                D(2025, 9, 30),
                indicators=(
                    Ind(
                        "Hectares of mangrove restored",
                        "ha",
                        Decimal(0),
                        Decimal(25),
                        Decimal(19),
                        D(2022, 7, 1),
                        D(2025, 9, 30),
                    ),
                ),
            ),
        ),
    ),
    P(
        "valparaiso-kingston-ports",
        "Valparaíso – Kingston: historic port cities",
        "c2c",
        (("valparaiso", "partner"), ("kingston", "partner")),
        D(2024, 3, 4),
        "es",
        {
            "es": "Asociación de demostración. Dos ciudades portuarias con barrios "
            "históricos en ladera comparan la rehabilitación y el turismo.",
            "en": "Demo partnership. Two port cities with historic hillside neighbourhoods "
            "compare renovation and tourism.",
        },
        themes=("culture", "local-economic-development"),
        sdgs=(8, 11),
        objectives=("Rehabilitar viviendas patrimoniales sin expulsar a sus habitantes",),
        activities=(
            A(
                "learning_event",
                "Seminario en línea sobre patrimonio y turismo",
                D(2024, 10, 2),
                participants=("valparaiso", "kingston"),
                participant_count=50,
            ),
        ),
    ),
    # --- Association-to-association capacity building ---------------------------------------------
    P(
        "lga-sen-lga-fra",
        "Renforcement de l'association des communes du Sénégal",
        "a2a",
        (("lga-sen", "lead"), ("lga-fra", "partner"), ("agency-fra", "funder")),
        D(2020, 1, 15),
        "fr",
        {
            "fr": "Partenariat de démonstration. L'association française accompagne "
            "l'association sénégalaise dans ses services aux communes et son plaidoyer "
            "sur la décentralisation financière.",
            "en": "Demo partnership. The French association supports the Senegalese one in "
            "its services to municipalities and its advocacy on fiscal decentralisation.",
            "es": "Asociación de demostración. La asociación francesa acompaña a la "
            "senegalesa en sus servicios a los municipios y su incidencia sobre la "
            "descentralización fiscal.",
        },
        themes=("institutional-capacity", "local-finance"),
        sdgs=(16, 17),
        objectives=(
            "Offrir un service d'appui juridique aux communes membres",
            "Porter une proposition de réforme de la fiscalité locale",
        ),
        activities=(
            A(
                "exchange_visit",
                "Visite du service juridique de l'association française",
                D(2020, 10, 5),
                D(2020, 10, 9),
                host="lga-fra",
                participants=("lga-sen",),
                participant_count=5,
            ),
            A(
                "secondment",
                "Détachement d'une juriste à Dakar",
                D(2021, 3, 1),
                D(2021, 8, 31),
                host="lga-sen",
                participants=("lga-fra",),
                participant_count=1,
            ),
            A(
                "training",
                "Formation des élus au plaidoyer budgétaire",
                D(2022, 11, 14),
                D(2022, 11, 16),
                host="lga-sen",
                participant_count=35,
            ),
        ),
        results=(
            R(
                "Service d'appui juridique ouvert aux communes",
                0,
                D(2021, 9, 1),
                indicators=(
                    Ind(
                        "Communes ayant recours au service",
                        "communes",
                        Decimal(0),
                        Decimal(150),
                        Decimal(212),
                        D(2020, 1, 15),
                        D(2023, 12, 31),
                    ),
                ),
            ),
            R(
                "Proposition de réforme présentée au gouvernement",
                1,
                D(2023, 5, 12),
            ),
        ),
        agreement=(
            "Convention de partenariat 2020–2024",
            D(2020, 1, 15),
            DOCS + "lga-sen-lga-fra-convention.pdf",
        ),
        assessments=(
            C(
                "lga-sen",
                D(2020, 2, 10),
                "baseline",
                {
                    "institutional-setup": (2, "Statuts à jour, pas de plan stratégique."),
                    "advocacy": (2, "Prises de position ponctuelles, sans suivi."),
                    "member-services": (1, "Aucun service régulier aux communes."),
                    "strategic-planning": (2, "Plan annuel seulement."),
                },
            ),
            C(
                "lga-sen",
                D(2023, 12, 5),
                "follow_up",
                {
                    "institutional-setup": (3, "Plan stratégique 2022–2026 adopté."),
                    "advocacy": (4, "Proposition de réforme portée devant le gouvernement."),
                    "member-services": (3, "Service juridique utilisé par 212 communes."),
                    "strategic-planning": (3, "Plan suivi par le bureau chaque trimestre."),
                },
            ),
        ),
    ),
    P(
        "lga-ken-lga-zaf",
        "Kenya – South Africa association peer review",
        "a2a",
        (("lga-ken", "partner"), ("lga-zaf", "partner"), ("world-network", "facilitator")),
        D(2021, 5, 3),
        "en",
        {
            "en": "Demo partnership. Two African associations of local governments review "
            "each other's services to members, with the world network as facilitator.",
            "fr": "Partenariat de démonstration. Deux associations africaines de "
            "collectivités évaluent mutuellement leurs services aux membres, avec le "
            "réseau mondial comme facilitateur.",
        },
        themes=("institutional-capacity",),
        sdgs=(16, 17),
        objectives=(
            "Run a peer review of each association",
            "Start a member-services helpdesk in Kenya",
        ),
        activities=(
            A(
                "exchange_visit",
                "Peer review mission to the South African association",
                D(2021, 9, 13),
                D(2021, 9, 17),
                host="durban",
                participants=("lga-ken", "world-network"),
                participant_count=6,
            ),
            A(
                "exchange_visit",
                "Peer review mission to the Kenyan council",
                D(2022, 2, 7),
                D(2022, 2, 11),
                host="lga-ken",
                participants=("lga-zaf", "world-network"),
                participant_count=6,
            ),
            A(
                "learning_event",
                "Learning forum on association finances",
                D(2024, 6, 4),
                host="nairobi-metro",
                participant_count=70,
            ),
        ),
        results=(
            R(
                "Member helpdesk open in Nairobi",
                1,
                D(2023, 3, 1),
                indicators=(
                    Ind(
                        "Member requests answered per year",
                        "requests",
                        Decimal(0),
                        Decimal(300),
                        Decimal(347),
                        D(2022, 1, 1),
                        D(2024, 12, 31),
                    ),
                ),
            ),
        ),
        agreement=("Peer review terms of reference", D(2021, 5, 3), DOCS + "ken-zaf-tor.pdf"),
        assessments=(
            C(
                "lga-ken",
                D(2021, 6, 1),
                "baseline",
                {
                    "institutional-setup": (3, "Secretariat of twelve staff."),
                    "member-services": (1, "No helpdesk; requests answered ad hoc."),
                    "advocacy": (3, "Regular dialogue with the ministry."),
                },
            ),
            C(
                "lga-zaf",
                D(2021, 6, 1),
                "baseline",
                {
                    "institutional-setup": (4, "Provincial offices in every province."),
                    "member-services": (3, "Helpdesk, no service standards."),
                    "advocacy": (4, "Seat in the intergovernmental forum."),
                },
            ),
            C(
                "lga-ken",
                D(2024, 6, 3),
                "follow_up",
                {
                    "institutional-setup": (3, "Secretariat of fifteen staff."),
                    "member-services": (3, "Helpdesk with a two-week answer standard."),
                    "advocacy": (3, "Regular dialogue with the ministry."),
                },
            ),
            C(
                "lga-zaf",
                D(2024, 6, 3),
                "follow_up",
                {
                    "institutional-setup": (4, "Provincial offices in every province."),
                    "member-services": (4, "Service standards published and met."),
                    "advocacy": (4, "Seat in the intergovernmental forum."),
                },
            ),
        ),
    ),
    P(
        "lga-col-lga-esp",
        "Federaciones de Colombia y España: incidencia en finanzas locales",
        "a2a",
        (("lga-col", "partner"), ("lga-esp", "partner")),
        D(2022, 4, 25),
        "es",
        {
            "es": "Asociación de demostración. Las dos federaciones comparten cómo "
            "defienden ante el Estado la financiación de los municipios.",
        },
        themes=("local-finance", "institutional-capacity"),
        sdgs=(16, 17),
        objectives=("Preparar una propuesta de reforma de las transferencias",),
        activities=(
            A(
                "learning_event",
                "Taller sobre transferencias intergubernamentales",
                D(2022, 10, 18),
                D(2022, 10, 19),
                host="lga-col",
                participants=("lga-col", "lga-esp"),
                participant_count=40,
            ),
        ),
        assessments=(
            C(
                "lga-col",
                D(2022, 5, 2),
                "baseline",
                {"advocacy": (2, "Sin unidad de estudios."), "local-finance": (2, "")},
            ),
            C(
                "lga-col",
                D(2025, 5, 6),
                "follow_up",
                {
                    "advocacy": (3, "Unidad de estudios con dos analistas."),
                    "local-finance": (3, "Observatorio de finanzas municipales."),
                },
            ),
        ),
    ),
    P(
        "lga-idn-lga-aus",
        "Indonesia – Australia councils' associations exchange",
        "a2a",
        (("lga-idn", "partner"), ("lga-aus", "partner")),
        D(2019, 7, 1),
        "en",
        {
            "en": "Demo partnership. Two associations exchanged on training programmes for "
            "newly elected councillors.",
        },
        themes=("institutional-capacity", "education"),
        sdgs=(16,),
        objectives=("Design an induction course for new councillors",),
        status="ended",
        status_on=D(2021, 12, 31),
        end_reason="The induction course was delivered and handed over; both associations "
        "agreed the exchange had met its purpose.",
        activities=(
            A(
                "training",
                "Trainers' course for councillor induction",
                D(2019, 11, 4),
                D(2019, 11, 8),
                host="lga-idn",
                participants=("lga-aus",),
                participant_count=16,
            ),
        ),
        assessments=(
            C(
                "lga-idn",
                D(2019, 7, 15),
                "baseline",
                {"member-services": (2, "Induction left to each city.")},
            ),
            C(
                "lga-idn",
                D(2021, 12, 10),
                "follow_up",
                {"member-services": (4, "Induction course run after every election.")},
            ),
        ),
    ),
    # --- Thematic network projects ----------------------------------------------------------------
    P(
        "africa-municipal-finance",
        "Programme d'apprentissage africain sur les finances municipales",
        "network_project",
        (
            ("africa-network", "lead"),
            ("dakar", "partner"),
            ("ouagadougou", "partner"),
            ("kumasi", "partner"),
            ("intl-fund", "funder"),
        ),
        D(2021, 1, 18),
        "fr",
        {
            "fr": "Partenariat de démonstration. Le réseau africain réunit trois villes "
            "pour améliorer le recouvrement des taxes locales, avec un fonds international.",
            "en": "Demo partnership. The African network brings three cities together to "
            "improve local tax collection, funded by an international fund.",
        },
        themes=("local-finance",),
        sdgs=(16, 17),
        objectives=("Augmenter les recettes propres des villes participantes",),
        activities=(
            A(
                "learning_event",
                "Forum d'apprentissage : adressage et fiscalité foncière",
                D(2021, 6, 21),
                D(2021, 6, 23),
                host="ouagadougou",
                participants=("dakar", "ouagadougou", "kumasi", "africa-network"),
                participant_count=55,
            ),
            A(
                "technical_assistance",
                "Appui au recensement fiscal de Kumasi",
                D(2022, 2, 1),
                D(2022, 7, 29),
                host="kumasi",
                participants=("kumasi", "dakar"),
            ),
        ),
        results=(
            R(
                "Recettes propres en hausse",
                0,
                D(2024, 12, 31),
                indicators=(
                    Ind(
                        "Recettes propres de Kumasi",
                        "millions GHS",
                        Decimal("48.0"),
                        Decimal("70.0"),
                        Decimal("63.4"),
                        D(2020, 12, 31),
                        D(2024, 12, 31),
                    ),
                ),
            ),
        ),
        agreement=(
            "Grant agreement",
            D(2020, 12, 10),
            DOCS + "africa-municipal-finance-grant.pdf",
        ),
    ),
    P(
        "coastal-adaptation-lab",
        "Coastal cities adaptation lab",
        "network_project",
        (
            ("coastal-network", "facilitator"),
            ("dakar", "partner"),
            ("durban", "partner"),
            ("surabaya", "partner"),
            ("suva", "partner"),
        ),
        D(2022, 3, 1),
        "en",
        {
            "en": "Demo partnership. Four coastal cities of the South meet in the network's "
            "lab to compare adaptation plans for sea-level rise.",
            "fr": "Partenariat de démonstration. Quatre villes côtières du Sud comparent "
            "leurs plans d'adaptation à la montée des eaux.",
            "es": "Asociación de demostración. Cuatro ciudades costeras del Sur comparan "
            "sus planes de adaptación al aumento del nivel del mar.",
        },
        themes=("climate-resilience",),
        sdgs=(13, 14),
        objectives=("Each city adopts an adaptation plan with a managed-retreat option",),
        activities=(
            A(
                "learning_event",
                "Adaptation lab, first session",
                D(2022, 9, 26),
                D(2022, 9, 28),
                host="durban",
                participants=("dakar", "durban", "surabaya", "suva"),
                participant_count=32,
            ),
            A(
                "learning_event",
                "Adaptation lab, second session",
                D(2024, 2, 19),
                D(2024, 2, 21),
                host="surabaya",
                participants=("dakar", "durban", "surabaya", "suva"),
                participant_count=36,
            ),
            A(
                "learning_event",
                "Adaptation lab, closing session",
                D(2026, 11, 2),
                D(2026, 11, 4),
                host="suva",
                participant_count=40,
            ),
        ),
    ),
    P(
        "latam-public-space",
        "Observatorio latinoamericano del espacio público",
        "network_project",
        (
            ("latam-network", "facilitator"),
            ("rosario", "partner"),
            ("medellin", "partner"),
            ("ngo-mexico", "partner"),
        ),
        D(2020, 8, 17),
        "es",
        {
            "es": "Asociación de demostración. La red latinoamericana coordina un "
            "observatorio en el que ciudades y sociedad civil miden el uso de plazas y "
            "parques.",
        },
        themes=("public-space", "governance-participation"),
        sdgs=(11,),
        objectives=("Medir el uso de cien espacios públicos con una misma metodología",),
        activities=(
            A(
                "training",
                "Formación en conteos de uso del espacio público",
                D(2020, 11, 9),
                D(2020, 11, 13),
                host="rosario",
                participants=("rosario", "medellin", "ngo-mexico"),
                participant_count=28,
            ),
        ),
        results=(
            R(
                "Espacios públicos medidos",
                0,
                D(2023, 12, 31),
                indicators=(
                    Ind(
                        "Espacios medidos",
                        "espacios",
                        Decimal(0),
                        Decimal(100),
                        Decimal(118),
                        D(2020, 8, 17),
                        D(2023, 12, 31),
                    ),
                ),
            ),
        ),
    ),
    P(
        "urban-governance-research",
        "Research network on decentralised cooperation",
        "network_project",
        (
            ("academia-utrecht", "lead"),
            ("academia-ahmedabad", "partner"),
            ("academia-dakar", "partner"),
        ),
        D(2021, 9, 1),
        "en",
        {
            "en": "Demo partnership. Three research centres study what city-to-city "
            "partnerships change in municipal practice.",
        },
        themes=("governance-participation", "institutional-capacity"),
        sdgs=(17,),
        objectives=("Publish a comparative study of twenty partnerships",),
        activities=(
            A(
                "joint_project",
                "Comparative case studies",
                D(2021, 9, 1),
                D(2024, 8, 31),
                participants=("academia-utrecht", "academia-ahmedabad", "academia-dakar"),
            ),
        ),
    ),
    P(
        "european-climate-cities",
        "European cities for heat-resilient neighbourhoods",
        "network_project",
        (
            ("world-network", "facilitator"),
            ("grenoble", "partner"),
            ("malmo", "partner"),
            ("lyon-metro", "partner"),
        ),
        D(2023, 1, 9),
        "en",
        {
            "en": "Demo partnership. Three European cities test cooling measures in school "
            "yards and social housing estates.",
            "fr": "Partenariat de démonstration. Trois villes européennes testent des "
            "mesures de rafraîchissement dans les cours d'école et les quartiers d'habitat "
            "social.",
        },
        themes=("climate-resilience", "housing"),
        sdgs=(11, 13),
        objectives=("Turn twenty school yards into cool islands",),
        activities=(
            A(
                "exchange_visit",
                "Grenoble's school yards",
                D(2023, 6, 5),
                D(2023, 6, 7),
                host="grenoble",
                participants=("malmo", "lyon-metro"),
                participant_count=12,
            ),
        ),
        results=(
            R(
                "School yards transformed",
                0,
                D(2025, 9, 1),
                indicators=(
                    Ind(
                        "School yards turned into cool islands",
                        "yards",
                        Decimal(0),
                        Decimal(20),
                        Decimal(13),
                        D(2023, 1, 9),
                        D(2025, 9, 1),
                    ),
                ),
            ),
        ),
    ),
    # --- Other ------------------------------------------------------------------------------------
    P(
        "ghana-western-cape",
        "Ghana municipal development agency – Western Cape exchange",
        "other",
        (("agency-gha", "partner"), ("western-cape", "partner")),
        D(2024, 2, 12),
        "en",
        {
            "en": "Demo partnership. A national agency and a provincial government compare "
            "how they support small municipalities' planning.",
        },
        themes=("land", "institutional-capacity"),
        sdgs=(11, 16),
        objectives=("Compare support programmes for small municipalities",),
        activities=(
            A(
                "study_tour",
                "Study tour of Western Cape municipal support",
                D(2024, 9, 9),
                D(2024, 9, 13),
                host="western-cape",
                participants=("agency-gha",),
                participant_count=6,
            ),
        ),
    ),
    # --- Proposals waiting for an answer from the demo people -------------------------------------
    P(
        "dakar-sevilla-proposal",
        "Dakar – Sevilla: beaches, tourism and cleanliness",
        "c2c",
        (("dakar", "lead"), ("sevilla", "partner")),
        None,
        "fr",
        {
            "fr": "Proposition de démonstration. Dakar propose à Séville d'échanger sur la "
            "propreté des plages et l'accueil des visiteurs.",
            "es": "Propuesta de demostración. Dakar propone a Sevilla intercambiar sobre "
            "la limpieza de las playas y la acogida de visitantes.",
        },
        themes=("waste", "local-economic-development"),
        sdgs=(11, 12),
        objectives=("Organiser une visite d'échange en 2027",),
        status="proposed",
        proposed_by="amina",
    ),
    P(
        "sevilla-lga-sen-proposal",
        "Escuela municipal de Sevilla para cargos locales senegaleses",
        "c2c",
        (("sevilla", "lead"), ("lga-sen", "partner")),
        None,
        "es",
        {
            "es": "Propuesta de demostración. La escuela de formación municipal de Sevilla "
            "ofrece cursos a técnicos de los municipios senegaleses.",
            "fr": "Proposition de démonstration. L'école de formation municipale de Séville "
            "propose des cours aux techniciens des communes sénégalaises.",
        },
        themes=("institutional-capacity", "education"),
        sdgs=(4, 16),
        objectives=("Formar a cuarenta técnicos municipales en dos años",),
        status="proposed",
        proposed_by="lucia",
    ),
]
