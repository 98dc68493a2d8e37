"""The knowledge base's demo data set: invented practices of the demo organisations.

Everything here was written for demonstration; it describes no real initiative. Owners are the
directory's demo organisations (``citypeers.directory.demo_data``, by key); some practices came out
of a demo partnership (``citypeers.partnerships.demo_data``, by key). Originals are in English,
French, Spanish and Portuguese, several with human translations. One practice travels: Porto
Alegre's neighbourhood budget is adapted by Dakar, with adoption reports from Dakar and Lyon.
Most are published; one waits in the review queue of Lucía (editor for Sevilla); one is Amina's
draft for Dakar.

``citypeers.core.demo`` loads it through the knowledge services, keyed by ``external_id``
(``demo:<key>``), so a second load changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

EXTERNAL_ID_PREFIX = "demo:"
D = dt.date


def T(
    title: str,
    summary: str,
    context: str,
    objectives: str,
    results: str,
    challenges: str,
    lessons: str,
) -> dict[str, str]:
    return {
        "title": title,
        "summary": summary,
        "context": context,
        "objectives": objectives,
        "results": results,
        "challenges": challenges,
        "lessons": lessons,
    }


@dataclass(frozen=True)
class DemoAdoption:
    organisation: str
    adopted_on: dt.date
    what_changed: str
    outcome: str
    #: username of the demo person who reports it (editor of the organisation), else demo-admin
    reported_by: str = ""


@dataclass(frozen=True)
class DemoPractice:
    key: str
    owner: str
    #: language → the template's texts; the first is the original, the others human translations
    texts: dict[str, dict[str, str]]
    themes: tuple[str, ...]
    sdgs: tuple[int, ...]
    period: tuple[dt.date | None, dt.date | None] = (None, None)
    status: str = "published"
    #: (organisation key, role) besides the owner, who is the lead
    organisations: tuple[tuple[str, str], ...] = ()
    partnership: str = ""
    adapted_from: str = ""
    #: username of the demo person who writes it (editor of the owner), else demo-admin
    author: str = ""
    resources: tuple[tuple[str, str], ...] = ()
    adoptions: tuple[DemoAdoption, ...] = ()

    @property
    def external_id(self) -> str:
        return EXTERNAL_ID_PREFIX + self.key

    @property
    def language(self) -> str:
        return next(iter(self.texts))


DOCS = "https://example.org/citypeers-demo/practices/"

PRACTICES: list[DemoPractice] = [
    DemoPractice(
        "porto-alegre-neighbourhood-budget",
        "porto-alegre",
        {
            "pt": T(
                "Orçamento participativo por bairro",
                "Demo. Cada bairro decide, em assembleias abertas, como usar uma parte do "
                "orçamento de investimentos da cidade.",
                "Bairros periféricos tinham pouca voz nas prioridades de investimento. A "
                "prefeitura quis abrir **parte do orçamento** à decisão direta dos moradores.",
                "- Dar aos moradores uma decisão real sobre obras do bairro\n"
                "- Tornar as contas públicas compreensíveis",
                "Em quatro ciclos, 17 regiões votaram 212 obras; a participação passou de "
                "3 000 para 11 000 pessoas por ano.",
                "Manter a confiança quando uma obra votada atrasa; evitar que as mesmas "
                "associações dominem as assembleias.",
                "1. Comece com uma parte pequena e **garantida** do orçamento.\n"
                "2. Publique o andamento de cada obra votada.\n"
                "3. Alterne os horários das assembleias para ouvir quem trabalha.",
            ),
            "fr": T(
                "Budget participatif par quartier",
                "Démo. Chaque quartier décide, en assemblées ouvertes, de l'usage d'une part du "
                "budget d'investissement de la ville.",
                "Les quartiers périphériques pesaient peu dans les priorités d'investissement. "
                "La mairie a voulu ouvrir **une part du budget** à la décision des habitants.",
                "- Donner aux habitants une vraie décision sur les travaux du quartier\n"
                "- Rendre les comptes publics compréhensibles",
                "En quatre cycles, 17 secteurs ont voté 212 projets ; la participation est "
                "passée de 3 000 à 11 000 personnes par an.",
                "Garder la confiance quand un projet voté prend du retard ; éviter que les "
                "mêmes associations dominent les assemblées.",
                "1. Commencer par une petite part **garantie** du budget.\n"
                "2. Publier l'avancement de chaque projet voté.\n"
                "3. Varier les horaires des assemblées pour entendre ceux qui travaillent.",
            ),
            "en": T(
                "Neighbourhood participatory budget",
                "Demo. Each neighbourhood decides, in open assemblies, how to spend a share of "
                "the city's capital budget.",
                "Outlying neighbourhoods had little say in investment priorities. The city "
                "opened **a share of the budget** to residents' direct decision.",
                "- Give residents a real decision on local works\n"
                "- Make public accounts understandable",
                "Over four cycles 17 districts voted 212 projects; turnout grew from 3,000 to "
                "11,000 people a year.",
                "Keeping trust when a voted project is late; keeping the same associations "
                "from dominating the assemblies.",
                "1. Start with a small, **guaranteed** share of the budget.\n"
                "2. Publish the progress of every voted project.\n"
                "3. Vary meeting times to hear people who work.",
            ),
        },
        themes=("governance-participation", "local-finance"),
        sdgs=(16, 11),
        period=(D(2017, 3, 1), D(2021, 12, 31)),
        partnership="lyon-porto-alegre-budget",
        organisations=(("lyon-metro", "partner"),),
        resources=(("Assembly guide (demo)", DOCS + "porto-alegre-assembly-guide.pdf"),),
        adoptions=(
            DemoAdoption(
                "lyon-metro",
                D(2022, 4, 1),
                "A metropolitan budget for climate projects instead of one per district.",
                "First cycle held; 4,200 votes cast online and in town halls.",
            ),
        ),
    ),
    DemoPractice(
        "dakar-budget-adaptation",
        "dakar",
        {
            "fr": T(
                "Budget participatif des communes de Dakar",
                "Démo. Dakar adapte le budget participatif de Porto Alegre à ses communes "
                "d'arrondissement, avec des assemblées en wolof et en français.",
                "Les communes d'arrondissement gèrent de petits budgets et connaissent mal les "
                "attentes des habitants. Une visite à Porto Alegre a donné l'idée.",
                "- Consacrer 5 % du budget d'investissement aux projets votés\n"
                "- Toucher les femmes et les jeunes, peu présents aux réunions",
                "Deux communes pilotes, 38 projets proposés, 9 financés (éclairage, "
                "bornes-fontaines, une salle de classe).",
                "Les délais de passation des marchés ; la tentation de promettre plus que le "
                "budget disponible.",
                "- Traduire les documents budgétaires et **les lire à voix haute**.\n"
                "- Commencer par deux communes plutôt que toutes.\n"
                "- Afficher chaque chantier voté avec sa date prévue.",
            ),
        },
        themes=("governance-participation", "local-finance"),
        sdgs=(16, 11),
        period=(D(2022, 1, 1), None),
        adapted_from="porto-alegre-neighbourhood-budget",
        author="amina",
        organisations=(("lga-sen", "support"),),
        adoptions=(
            DemoAdoption(
                "dakar",
                D(2022, 1, 15),
                "Communes d'arrondissement au lieu de régions ; assemblées en wolof ; 5 % du "
                "budget au lieu de 15 %.",
                "Neuf projets financés dans deux communes pilotes ; extension prévue à quatre.",
                reported_by="amina",
            ),
        ),
    ),
    DemoPractice(
        "kisumu-water-kiosks",
        "kisumu",
        {
            "en": T(
                "Water kiosks run by women's groups",
                "Demo. Informal settlements get clean water from kiosks that women's groups run "
                "under a contract with the water utility.",
                "Half of the lakeside settlements had no piped water and bought from vendors at "
                "five times the tariff.",
                "- Bring safe **drinking water** within 200 m of every home\n"
                "- Cut the price per jerrycan",
                "42 kiosks open; the price of a jerrycan fell by two thirds; water-borne "
                "illness at the two clinics fell in the first year.",
                "Unpaid bills of the kiosks to the utility; vandalism of meters at night.",
                "Contracts with **groups**, not individuals, survived; prepaid meters ended "
                "most billing disputes.",
            ),
            "fr": T(
                "Kiosques à eau gérés par des groupements de femmes",
                "Démo. Les quartiers informels ont de l'eau potable grâce à des kiosques "
                "tenus par des groupements de femmes sous contrat avec la régie.",
                "La moitié des quartiers au bord du lac n'avaient pas l'eau courante et "
                "l'achetaient à des revendeurs cinq fois plus cher.",
                "- Amener l'**eau potable** à moins de 200 m de chaque maison\n"
                "- Faire baisser le prix du bidon",
                "42 kiosques ouverts ; le prix du bidon a baissé des deux tiers.",
                "Factures impayées des kiosques ; compteurs vandalisés la nuit.",
                "Les contrats avec des **groupements** ont tenu ; les compteurs prépayés ont "
                "réglé la plupart des litiges.",
            ),
        },
        themes=("water-sanitation", "gender"),
        sdgs=(6, 5),
        period=(D(2019, 6, 1), D(2023, 6, 30)),
        partnership="kisumu-utrecht-water",
        organisations=(("ngo-kisumu", "partner"),),
        resources=(("Kiosk contract template (demo)", DOCS + "kisumu-kiosk-contract.pdf"),),
    ),
    DemoPractice(
        "durban-water-loss-teams",
        "durban",
        {
            "en": T(
                "Neighbourhood water-loss teams",
                "Demo. Small teams recruited in each district find and fix leaks, and were the "
                "model later shared with Kisumu.",
                "Almost 40% of the water treated was lost to leaks and illegal connections.",
                "Halve the time to repair a reported leak; bring non-revenue water below 30%.",
                "Median repair time fell from 9 days to 2; non-revenue water fell by 8 points "
                "in four years.",
                "Training enough plumbers; keeping data on repairs up to date.",
                "Recruiting **in the district** built trust, and residents reported leaks more.",
            ),
        },
        themes=("water-sanitation", "institutional-capacity"),
        sdgs=(6,),
        period=(D(2015, 1, 1), D(2019, 12, 31)),
        partnership="durban-kisumu",
        organisations=(("kisumu", "partner"),),
        adoptions=(
            DemoAdoption(
                "kisumu",
                D(2020, 3, 1),
                "One central team instead of district teams, for a smaller network.",
                "A water-loss unit working since December 2022.",
            ),
        ),
    ),
    DemoPractice(
        "sevilla-shade-corridors",
        "sevilla",
        {
            "es": T(
                "Corredores de sombra en los barrios más calurosos",
                "Demo. Árboles, toldos y fuentes unen escuelas, centros de salud y paradas de "
                "autobús por calles con sombra.",
                "Los veranos superan cada vez más los 44 °C y los barrios con menos árboles son "
                "también los de menor renta.",
                "- Que cada escuela tenga un recorrido **a la sombra** hasta la parada más "
                "cercana\n- Bajar la temperatura de superficie de las calles",
                "14 km de corredores; hasta 12 °C menos en el pavimento a mediodía.",
                "Raíces y redes subterráneas; el riego en años de sequía.",
                "Los toldos tradicionales dan sombra **desde el primer verano** mientras "
                "crecen los árboles.",
            ),
            "en": T(
                "Shade corridors in the hottest neighbourhoods",
                "Demo. Trees, awnings and fountains link schools, clinics and bus stops along "
                "shaded streets.",
                "Summers more often pass 44 °C, and the neighbourhoods with fewest trees are "
                "also the poorest.",
                "- A **shaded** walk from every school to the nearest stop\n"
                "- Lower street surface temperatures",
                "14 km of corridors; pavement up to 12 °C cooler at noon.",
                "Roots and underground networks; watering in drought years.",
                "Traditional awnings give shade **from the first summer** while the trees grow.",
            ),
            "fr": T(
                "Corridors d'ombre dans les quartiers les plus chauds",
                "Démo. Arbres, toiles et fontaines relient écoles, centres de santé et arrêts "
                "de bus par des rues ombragées.",
                "Les étés dépassent de plus en plus 44 °C.",
                "Un trajet **à l'ombre** de chaque école à l'arrêt le plus proche.",
                "14 km de corridors ; jusqu'à 12 °C de moins sur la chaussée à midi.",
                "Les racines et les réseaux ; l'arrosage en année de sécheresse.",
                "Les toiles traditionnelles donnent de l'ombre **dès le premier été**.",
            ),
        },
        themes=("public-space", "climate-resilience"),
        sdgs=(11, 13, 3),
        period=(D(2020, 1, 1), None),
        partnership="sevilla-rosario",
        organisations=(("rosario", "partner"),),
    ),
    DemoPractice(
        "medellin-cable-car-neighbourhoods",
        "medellin",
        {
            "es": T(
                "Metrocable y proyectos urbanos en las laderas",
                "Demo. Cada estación de cable aéreo vino con una biblioteca, un parque y "
                "calles peatonales en los barrios de ladera.",
                "Los barrios altos tardaban más de una hora en bajar al centro.",
                "- Reducir el tiempo de viaje al trabajo\n- Llevar equipamientos a las laderas",
                "El viaje al centro pasó de 70 a 25 minutos en promedio.",
                "El mantenimiento de los equipamientos cuando termina la obra.",
                "La obra de transporte es la ocasión: **invertir alrededor de la estación**.",
            ),
        },
        themes=("mobility", "public-space"),
        sdgs=(11, 10),
        period=(D(2016, 1, 1), D(2020, 12, 31)),
        partnership="andean-cable-cars",
    ),
    DemoPractice(
        "pune-ward-composting",
        "pune",
        {
            "en": T(
                "Ward-level composting with waste pickers",
                "Demo. Waste pickers' cooperatives collect wet waste door to door and compost "
                "it in each ward.",
                "The landfill was full and residents protested against a new one.",
                "Divert wet waste from the landfill; give waste pickers a fair income.",
                "55% of households separate at source; 60 ward composting sites.",
                "Odour complaints near sites; the price of compost.",
                "Paying pickers a **service fee** mattered more than selling compost.",
            ),
        },
        themes=("waste", "local-economic-development"),
        sdgs=(11, 12, 8),
        period=(D(2018, 4, 1), None),
        partnership="pune-surabaya-compost",
        organisations=(("surabaya", "partner"),),
    ),
    DemoPractice(
        "quezon-flood-early-warning",
        "quezon-city",
        {
            "en": T(
                "Community flood early warning by text message",
                "Demo. River gauges and barangay volunteers send flood warnings by SMS to "
                "households along the creeks.",
                "Flash floods gave residents less than an hour to leave.",
                "Warn every riverside household **at least two hours** before the water rises.",
                "Warnings reach 30,000 households; no deaths in the last three typhoon seasons.",
                "Keeping volunteer lists current; false alarms.",
                "Drills twice a year kept the volunteer network alive.",
            ),
        },
        themes=("climate-resilience",),
        sdgs=(11, 13),
        period=(D(2019, 1, 1), None),
        partnership="amman-quezon-floods",
        organisations=(("amman", "partner"),),
    ),
    DemoPractice(
        "ouagadougou-street-addressing",
        "ouagadougou",
        {
            "fr": T(
                "Adressage des rues et fiscalité locale",
                "Démo. Nommer et numéroter les rues a permis de recenser les contribuables et "
                "d'améliorer la collecte des taxes locales.",
                "Sans adresse, les services municipaux ne trouvaient ni les habitants ni les "
                "commerces.",
                "- Donner une adresse à chaque parcelle\n- Élargir l'assiette fiscale",
                "80 000 plaques posées ; recettes de la taxe de résidence en hausse de 35 %.",
                "Le choix des noms de rues ; la mise à jour du fichier.",
                "Associer les **chefs de quartier** au choix des noms a évité les conflits.",
            ),
            "en": T(
                "Street addressing and local taxes",
                "Demo. Naming and numbering streets let the city register taxpayers and "
                "collect local taxes better.",
                "Without addresses, city services could find neither residents nor shops.",
                "- An address for every plot\n- A wider tax base",
                "80,000 plates installed; residence tax receipts up 35%.",
                "Choosing street names; keeping the register up to date.",
                "Involving **neighbourhood chiefs** in naming avoided disputes.",
            ),
        },
        themes=("local-finance", "institutional-capacity"),
        sdgs=(17, 16),
        period=(D(2016, 1, 1), D(2019, 12, 31)),
        partnership="montreal-ouagadougou",
        organisations=(("montreal", "support"),),
    ),
    DemoPractice(
        "utrecht-station-bike-parking",
        "utrecht",
        {
            "en": T(
                "Guarded bicycle parking at stations",
                "Demo. Large guarded bicycle parkings at stations, free for the first day, "
                "made cycling to the train the norm.",
                "Bicycles piled up around the station and blocked walkways.",
                "Enough safe parking for every commuter who cycles to the train.",
                "12,500 places; cycling share of station trips above 40%.",
                "Cost of staff; bicycles abandoned for months.",
                "Free first day and **digital occupancy signs** made the parking used.",
            ),
        },
        themes=("mobility",),
        sdgs=(11,),
        period=(D(2017, 1, 1), D(2019, 12, 31)),
        partnership="malmo-utrecht",
        organisations=(("malmo", "partner"),),
    ),
    DemoPractice(
        "suva-seawall-mangroves",
        "suva",
        {
            "en": T(
                "Mangroves in front of the seawall",
                "Demo. Replanting mangroves in front of an ageing seawall softened waves and "
                "cut repair costs.",
                "Storm surges damaged the seawall every cyclone season.",
                "Protect the foreshore with nature as well as concrete.",
                "3 ha replanted by school groups; fewer wall repairs after two cyclones.",
                "Seedling survival in the first year; land tenure on the foreshore.",
                "Schools caring for **their own plots** raised seedling survival.",
            ),
        },
        themes=("climate-resilience", "education"),
        sdgs=(13, 14),
        period=(D(2020, 1, 1), None),
        partnership="pacific-seawalls",
    ),
    DemoPractice(
        "montevideo-open-budget-data",
        "montevideo",
        {
            "es": T(
                "Presupuesto municipal en datos abiertos",
                "Demo. Cada peso del presupuesto municipal, publicado cada mes en datos "
                "abiertos y en un tablero para vecinos.",
                "Los vecinos pedían saber en qué se gasta, y los periodistas pedían datos.",
                "Publicar la ejecución presupuestaria en **formatos abiertos** cada mes.",
                "Tablero consultado 60 000 veces al año; tres proyectos ciudadanos lo reutilizan.",
                "Nomenclaturas contables difíciles de entender.",
                "Un glosario sencillo importó tanto como los datos.",
            ),
            "pt": T(
                "Orçamento municipal em dados abertos",
                "Demo. Cada peso do orçamento municipal, publicado todo mês em dados abertos e "
                "num painel para moradores.",
                "Os moradores queriam saber onde se gasta, e os jornalistas pediam dados.",
                "Publicar a execução orçamentária em **formatos abertos** todo mês.",
                "Painel consultado 60 000 vezes por ano.",
                "Classificações contábeis difíceis de entender.",
                "Um glossário simples importou tanto quanto os dados.",
            ),
        },
        themes=("digital", "local-finance"),
        sdgs=(16, 17),
        period=(D(2018, 1, 1), None),
    ),
    DemoPractice(
        "lga-sen-peer-training",
        "lga-sen",
        {
            "fr": T(
                "Formation entre pairs des secrétaires municipaux",
                "Démo. L'association des maires forme les secrétaires municipaux par des "
                "binômes entre communes expérimentées et nouvelles.",
                "Après la réforme de décentralisation, beaucoup de communes nouvelles "
                "manquaient d'agents formés.",
                "Former chaque nouveau secrétaire municipal la première année.",
                "120 binômes ; délais de vote du budget réduits dans les communes nouvelles.",
                "Le coût des déplacements ; la rotation des agents.",
                "Les **binômes** ont mieux marché que les formations en salle.",
            ),
        },
        themes=("institutional-capacity",),
        sdgs=(16, 17),
        period=(D(2021, 1, 1), None),
        partnership="lga-sen-lga-fra",
        organisations=(("lga-fra", "support"),),
    ),
    DemoPractice(
        "sevilla-heat-shelters",
        "sevilla",
        {
            "es": T(
                "Refugios climáticos en bibliotecas y centros cívicos",
                "Demo. Bibliotecas y centros cívicos abren como refugios frescos durante las "
                "olas de calor.",
                "Muchas personas mayores viven en pisos sin aire acondicionado.",
                "Un refugio a **diez minutos a pie** de cada vivienda.",
                "32 refugios abiertos el primer verano.",
                "Horarios del personal; dar a conocer los refugios.",
                "Los centros de salud fueron los mejores para avisar a las personas mayores.",
            ),
        },
        themes=("climate-resilience", "health"),
        sdgs=(3, 11, 13),
        period=(D(2024, 6, 1), None),
        status="submitted",
        author="lucia",
    ),
    DemoPractice(
        "dakar-coastline-monitoring",
        "dakar",
        {
            "fr": T(
                "Suivi du trait de côte par drone",
                "Démo (brouillon). Les agents de la ville survolent la corniche chaque saison "
                "pour mesurer l'érosion.",
                "La corniche recule et menace des quartiers habités.",
                "Mesurer le recul du trait de côte **chaque saison**.",
                "Premières cartes en cours.",
                "Autorisations de vol ; traitement des images.",
                "À compléter après la deuxième saison.",
            ),
        },
        themes=("climate-resilience",),
        sdgs=(13, 14),
        period=(D(2023, 1, 1), None),
        status="draft",
        author="amina",
        partnership="dakar-durban-coast",
        organisations=(("durban", "partner"),),
    ),
]
