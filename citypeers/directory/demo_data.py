"""The directory's demo data set: invented organisations placed in real cities.

Everything here is written by the project for demonstration. Places are real (GeoNames ids and
ISO codes from the reference data), but every description, challenge and expertise is invented:
it describes no real organisation's work. Associations, networks, agencies and the like carry
plainly fictional names that start with "Demo" (or its French and Spanish forms); local
governments keep their place's name and say in their description that the profile is a demo.

``citypeers.core.demo`` loads it through the directory's services, keyed by ``external_id``
(``demo:<key>``), so a second load changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXTERNAL_ID_PREFIX = "demo:"


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    actor_type: str
    #: GeoNames id of the city it governs or sits in
    city: int | None = None
    #: GeoNames id of a city whose first-level region a regional government governs
    region_of: int | None = None
    #: ISO alpha-3, for an organisation placed in a country only
    country: str = ""
    acronym: str = ""
    languages: tuple[str, ...] = ("en",)
    original_language: str = "en"
    descriptions: dict[str, str] = field(default_factory=dict)
    themes: tuple[str, ...] = ()
    sdgs: tuple[int, ...] = ()
    #: (theme slug, text in the original language)
    challenge: tuple[str, str] = ("", "")
    expertise: tuple[str, str] = ("", "")

    @property
    def external_id(self) -> str:
        return EXTERNAL_ID_PREFIX + self.key


# GeoNames ids of the cities used below.
DAKAR, SAINT_LOUIS, KISUMU, NAIROBI = 2253354, 2246452, 191245, 184745
DURBAN, CAPE_TOWN, OUAGADOUGOU, KUMASI, RABAT = 1007311, 3369157, 2357048, 2298890, 2538475
MEDELLIN, ROSARIO, MONTEVIDEO, PORTO_ALEGRE, QUITO = 3674962, 3838583, 3441575, 3452925, 3652462
MONTREAL, VALPARAISO, BOGOTA, MEXICO_CITY, KINGSTON = 6077243, 3868626, 3688689, 3530597, 3489854
SURABAYA, PUNE, KATHMANDU, BUSAN, QUEZON_CITY = 1625822, 1259229, 1283240, 1838524, 1692192
AMMAN, JAKARTA, AHMEDABAD = 250441, 1642911, 1279233
SEVILLA, LYON, GRENOBLE, UTRECHT, MALMO = 2510911, 2996944, 3014728, 2745912, 2692969
BONN, BARCELONA, GENEVA, PARIS = 2946447, 3128760, 2660646, 2988507
SUVA, APIA, AUCKLAND, BRISBANE = 2198148, 4035413, 2193733, 2174003

Org = DemoOrganisation

ORGANISATIONS: list[DemoOrganisation] = [
    # --- Africa ----------------------------------------------------------------------------------
    Org(
        "dakar",
        "Ville de Dakar",
        "municipality",
        city=DAKAR,
        languages=("fr", "wo", "en"),
        original_language="fr",
        descriptions={
            "fr": "Profil de démonstration. Capitale côtière qui travaille avec ses quartiers "
            "sur la propreté des plages, la collecte des déchets et l'accueil des nouveaux "
            "habitants venus de l'intérieur du pays.",
            "en": "Demo profile. A coastal capital working with its neighbourhoods on clean "
            "beaches, waste collection and the welcome of newcomers from inland regions.",
        },
        themes=("waste", "climate-resilience", "migration"),
        sdgs=(6, 11, 13),
        challenge=(
            "climate-resilience",
            "L'érosion côtière menace des quartiers entiers de la corniche.",
        ),
        expertise=(
            "waste",
            "Collecte des déchets en pré-collecte par des groupements de quartier.",
        ),
    ),
    Org(
        "saint-louis",
        "Commune de Saint-Louis",
        "municipality",
        city=SAINT_LOUIS,
        languages=("fr",),
        original_language="fr",
        descriptions={
            "fr": "Profil de démonstration. Ville patrimoniale à l'embouchure du fleuve, qui "
            "cherche à concilier tourisme, pêche artisanale et protection contre les crues."
        },
        themes=("culture", "climate-resilience"),
        sdgs=(11, 14),
        challenge=(
            "climate-resilience",
            "Les crues du fleuve et la brèche de la Langue de Barbarie.",
        ),
        expertise=(
            "culture",
            "Inventaire participatif du patrimoine bâti colonial et vernaculaire.",
        ),
    ),
    Org(
        "kisumu",
        "Kisumu City",
        "municipality",
        city=KISUMU,
        languages=("en", "sw"),
        descriptions={
            "en": "Demo profile. A lakeside city connecting informal settlements to water and "
            "sanitation, and working with fishing communities on the lake shore."
        },
        themes=("water-sanitation", "basic-services"),
        sdgs=(6, 11),
        challenge=("water-sanitation", "Non-revenue water above forty per cent in the network."),
        expertise=("basic-services", "Community-run water kiosks in informal settlements."),
    ),
    Org(
        "nairobi-metro",
        "Nairobi Metropolitan Area",
        "metropolitan",
        city=NAIROBI,
        languages=("en", "sw"),
        descriptions={
            "en": "Demo profile. Coordinates transport and land use across the metropolitan "
            "region, with a focus on commuter rail and bus rapid transit corridors."
        },
        themes=("mobility", "land"),
        sdgs=(9, 11),
        challenge=("mobility", "Matatu routes and formal transit plans that do not meet."),
        expertise=("land", "Digital land registry shared by the metropolitan counties."),
    ),
    Org(
        "durban",
        "City of Durban",
        "municipality",
        city=DURBAN,
        languages=("en", "zu"),
        descriptions={
            "en": "Demo profile. A port city that maps climate risks street by street and "
            "restores river catchments with community crews."
        },
        themes=("climate-resilience", "water-sanitation"),
        sdgs=(6, 13, 15),
        challenge=("climate-resilience", "Flash floods damaging settlements on river banks."),
        expertise=("climate-resilience", "Catchment restoration by paid community teams."),
    ),
    Org(
        "western-cape",
        "Western Cape Provincial Government",
        "regional",
        region_of=CAPE_TOWN,
        languages=("en", "af", "xh"),
        descriptions={
            "en": "Demo profile. A provincial government supporting its municipalities with "
            "drought planning, shared data and training of finance officers."
        },
        themes=("water-sanitation", "institutional-capacity"),
        sdgs=(6, 16),
        challenge=("water-sanitation", "Planning for multi-year droughts with small towns."),
        expertise=("institutional-capacity", "A shared training programme for municipal CFOs."),
    ),
    Org(
        "ouagadougou",
        "Commune de Ouagadougou",
        "municipality",
        city=OUAGADOUGOU,
        languages=("fr",),
        original_language="fr",
        descriptions={
            "fr": "Profil de démonstration. Capitale sahélienne qui développe l'agriculture "
            "urbaine et la gestion des eaux pluviales avec ses arrondissements."
        },
        themes=("food-systems", "urban-rural-linkages"),
        sdgs=(2, 11),
        challenge=(
            "urban-rural-linkages",
            "Approvisionnement des marchés pendant la saison sèche.",
        ),
        expertise=("food-systems", "Jardins maraîchers irrigués par les eaux usées traitées."),
    ),
    Org(
        "kumasi",
        "City of Kumasi",
        "municipality",
        city=KUMASI,
        languages=("en",),
        descriptions={
            "en": "Demo profile. A trading city reorganising its central market and the "
            "informal economy around it."
        },
        themes=("local-economic-development", "public-space"),
        sdgs=(8, 11),
        challenge=("public-space", "Congestion and fire risk in the central market."),
        expertise=("local-economic-development", "Registration of street traders by SMS."),
    ),
    Org(
        "lga-sen",
        "Association de démonstration des communes du Sénégal",
        "lga",
        city=DAKAR,
        acronym="ADCS-démo",
        languages=("fr",),
        original_language="fr",
        descriptions={
            "fr": "Association fictive, créée pour la démonstration : elle représente les "
            "communes auprès de l'État et forme leurs secrétaires municipaux.",
            "es": "Asociación ficticia, creada para la demostración: representa a los "
            "municipios ante el Estado y forma a sus secretarios municipales.",
        },
        themes=("institutional-capacity", "local-finance"),
        sdgs=(16, 17),
        challenge=("local-finance", "Transferts de l'État versés avec retard aux communes."),
        expertise=("institutional-capacity", "Formation continue des secrétaires municipaux."),
    ),
    Org(
        "lga-ken",
        "Demo Council of Kenyan Local Governments",
        "lga",
        city=NAIROBI,
        languages=("en", "sw"),
        descriptions={
            "en": "A fictional association for the demo: it speaks for counties and towns in "
            "national budget talks and runs peer reviews between them."
        },
        themes=("governance-participation", "local-finance"),
        sdgs=(16, 17),
        challenge=("governance-participation", "Keeping small towns heard next to large counties."),
        expertise=("institutional-capacity", "Peer reviews of county finance departments."),
    ),
    Org(
        "lga-zaf",
        "Demo Association of South African Municipalities",
        "lga",
        country="ZAF",
        languages=("en",),
        descriptions={
            "en": "A fictional association for the demo, offering its members legal advice, "
            "benchmarking of services and a shared procurement desk."
        },
        themes=("basic-services", "institutional-capacity"),
        sdgs=(6, 7, 16),
        challenge=("basic-services", "Ageing electricity networks in smaller municipalities."),
        expertise=("institutional-capacity", "Benchmarking of service delivery across members."),
    ),
    Org(
        "africa-network",
        "Réseau de démonstration des collectivités africaines",
        "network",
        city=RABAT,
        languages=("fr", "en", "ar", "pt"),
        original_language="fr",
        descriptions={
            "fr": "Réseau fictif, créé pour la démonstration, qui relie villes et associations "
            "du continent autour de l'apprentissage entre pairs.",
            "en": "A fictional network, created for the demo, linking cities and associations "
            "across the continent through peer learning.",
        },
        themes=("institutional-capacity", "urban-rural-linkages", "gender"),
        sdgs=(5, 11, 17),
        challenge=("gender", "Peu d'élues locales dans les bureaux des associations membres."),
        expertise=("institutional-capacity", "Échanges d'agents entre villes africaines."),
    ),
    Org(
        "ngo-kisumu",
        "Demo Lakeside Water Alliance",
        "ngo",
        city=KISUMU,
        languages=("en", "sw"),
        descriptions={
            "en": "A fictional civil-society group for the demo: residents' committees that "
            "monitor water kiosks and report leaks to the utility."
        },
        themes=("water-sanitation", "governance-participation"),
        sdgs=(6,),
        challenge=("water-sanitation", "Keeping volunteers engaged after the first year."),
        expertise=("governance-participation", "Citizen monitoring of water points by phone."),
    ),
    Org(
        "academia-dakar",
        "Institut de démonstration d'études urbaines de Dakar",
        "academia",
        city=DAKAR,
        languages=("fr", "en"),
        original_language="fr",
        descriptions={
            "fr": "Institut fictif, pour la démonstration : il forme des urbanistes et étudie "
            "les villes secondaires d'Afrique de l'Ouest."
        },
        themes=("land", "education"),
        sdgs=(4, 11),
        challenge=("land", "Données foncières rares et dispersées pour les villes secondaires."),
        expertise=("education", "Formation courte en planification urbaine pour élus."),
    ),
    Org(
        "agency-gha",
        "Demo National Agency for Municipal Development",
        "national_agency",
        country="GHA",
        languages=("en",),
        descriptions={
            "en": "A fictional national agency for the demo that co-finances municipal "
            "investments and matches assemblies with peers abroad."
        },
        themes=("local-finance", "institutional-capacity"),
        sdgs=(8, 17),
        challenge=("local-finance", "Few municipal projects ready for finance."),
        expertise=("local-finance", "A project preparation facility for district assemblies."),
    ),
    # --- Americas --------------------------------------------------------------------------------
    Org(
        "medellin",
        "Alcaldía de Medellín",
        "municipality",
        city=MEDELLIN,
        languages=("es", "en"),
        original_language="es",
        descriptions={
            "es": "Perfil de demostración. Ciudad de ladera que conecta barrios altos con "
            "transporte por cable y recupera quebradas como espacio público.",
            "en": "Demo profile. A hillside city connecting upper neighbourhoods by cable car "
            "and turning streams into public space.",
        },
        themes=("mobility", "public-space", "peace-security"),
        sdgs=(11, 16),
        challenge=("housing", "Asentamientos en laderas con riesgo de deslizamiento."),
        expertise=("mobility", "Integración del cable aéreo con el metro y los buses."),
    ),
    Org(
        "rosario",
        "Municipalidad de Rosario",
        "municipality",
        city=ROSARIO,
        languages=("es",),
        original_language="es",
        descriptions={
            "es": "Perfil de demostración. Ciudad ribereña con larga práctica de presupuesto "
            "participativo y de agricultura urbana en terrenos vacantes."
        },
        themes=("governance-participation", "food-systems"),
        sdgs=(2, 16),
        challenge=("land", "Terrenos vacantes sin uso en la periferia."),
        expertise=("food-systems", "Huertas urbanas en terrenos municipales cedidos."),
    ),
    Org(
        "santa-fe",
        "Provincia de Santa Fe",
        "regional",
        region_of=ROSARIO,
        languages=("es",),
        original_language="es",
        descriptions={
            "es": "Perfil de demostración. Gobierno provincial que acompaña a sus comunas "
            "pequeñas en la gestión de residuos y el desarrollo productivo."
        },
        themes=("waste", "local-economic-development"),
        sdgs=(8, 12),
        challenge=("waste", "Basurales a cielo abierto en comunas pequeñas."),
        expertise=("local-economic-development", "Consorcios de comunas para servicios comunes."),
    ),
    Org(
        "montevideo",
        "Intendencia de Montevideo",
        "municipality",
        city=MONTEVIDEO,
        languages=("es", "en"),
        original_language="es",
        descriptions={
            "es": "Perfil de demostración. Capital que trabaja en igualdad de género en el "
            "espacio público y en la movilidad nocturna segura.",
            "en": "Demo profile. A capital working on gender equality in public space and "
            "safe mobility at night.",
            "fr": "Profil de démonstration. Capitale qui travaille sur l'égalité de genre dans "
            "l'espace public et la mobilité nocturne sûre.",
        },
        themes=("gender", "public-space", "mobility"),
        sdgs=(5, 11),
        challenge=("mobility", "Paradas de bus percibidas como inseguras de noche."),
        expertise=("gender", "Auditorías de seguridad urbana hechas con vecinas."),
    ),
    Org(
        "porto-alegre",
        "Prefeitura de Porto Alegre",
        "municipality",
        city=PORTO_ALEGRE,
        languages=("pt", "es", "en"),
        original_language="pt",
        descriptions={
            "pt": "Perfil de demonstração. Cidade que reconstrói diques e bairros depois de "
            "grandes enchentes e revisa o seu plano de drenagem.",
            "en": "Demo profile. A city rebuilding dykes and neighbourhoods after major floods "
            "and revising its drainage plan.",
        },
        themes=("climate-resilience", "housing"),
        sdgs=(11, 13),
        challenge=("climate-resilience", "Sistema de diques que falhou numa cheia histórica."),
        expertise=("governance-participation", "Assembleias de bairro para priorizar obras."),
    ),
    Org(
        "quito-metro",
        "Distrito Metropolitano de Quito",
        "metropolitan",
        city=QUITO,
        languages=("es",),
        original_language="es",
        descriptions={
            "es": "Perfil de demostración. Distrito andino que protege su centro histórico y "
            "ordena el crecimiento en los valles que lo rodean."
        },
        themes=("culture", "land"),
        sdgs=(11, 15),
        challenge=("land", "Urbanización dispersa en los valles periurbanos."),
        expertise=("culture", "Rehabilitación de vivienda en el centro histórico."),
    ),
    Org(
        "montreal",
        "Ville de Montréal",
        "municipality",
        city=MONTREAL,
        languages=("fr", "en"),
        original_language="fr",
        descriptions={
            "fr": "Profil de démonstration. Métropole insulaire qui accueille des personnes "
            "réfugiées et adapte ses services municipaux en plusieurs langues.",
            "en": "Demo profile. An island city welcoming refugees and adapting its municipal "
            "services to several languages.",
        },
        themes=("migration", "digital"),
        sdgs=(10, 16),
        challenge=("housing", "Pénurie de logements abordables pour les familles arrivantes."),
        expertise=(
            "migration",
            "Guichet d'accueil unique pour les personnes nouvellement arrivées.",
        ),
    ),
    Org(
        "valparaiso",
        "Municipalidad de Valparaíso",
        "municipality",
        city=VALPARAISO,
        languages=("es",),
        original_language="es",
        descriptions={
            "es": "Perfil de demostración. Puerto de cerros que combina la gestión del "
            "patrimonio con la prevención de incendios forestales urbanos."
        },
        themes=("culture", "climate-resilience"),
        sdgs=(11, 13),
        challenge=("climate-resilience", "Incendios en la interfaz urbano-forestal."),
        expertise=("culture", "Gestión de un sitio patrimonial habitado."),
    ),
    Org(
        "kingston",
        "City of Kingston",
        "municipality",
        city=KINGSTON,
        languages=("en",),
        descriptions={
            "en": "Demo profile. A Caribbean harbour city upgrading drainage and preparing "
            "neighbourhoods for the hurricane season."
        },
        themes=("climate-resilience", "basic-services"),
        sdgs=(11, 13),
        challenge=("climate-resilience", "Gullies blocked by solid waste before storms."),
        expertise=("basic-services", "Hurricane preparedness plans drawn up by each community."),
    ),
    Org(
        "lga-col",
        "Federación de demostración de municipios colombianos",
        "lga",
        city=BOGOTA,
        languages=("es",),
        original_language="es",
        descriptions={
            "es": "Federación ficticia, creada para la demostración: asesora a municipios "
            "pequeños en catastro y en la formulación de proyectos."
        },
        themes=("local-finance", "land"),
        sdgs=(16, 17),
        challenge=("local-finance", "Catastros desactualizados en municipios rurales."),
        expertise=("land", "Catastro multipropósito con brigadas compartidas."),
    ),
    Org(
        "latam-network",
        "Red de demostración de ciudades latinoamericanas",
        "network",
        city=MONTEVIDEO,
        languages=("es", "pt", "en"),
        original_language="es",
        descriptions={
            "es": "Red ficticia, creada para la demostración, que organiza intercambios entre "
            "ciudades de América Latina sobre inclusión y espacio público.",
            "en": "A fictional network, created for the demo, that organises exchanges between "
            "Latin American cities on inclusion and public space.",
        },
        themes=("public-space", "migration", "gender"),
        sdgs=(5, 10, 11),
        challenge=("institutional-capacity", "Cambios de gobierno que interrumpen los programas."),
        expertise=("public-space", "Pasantías cortas entre equipos de espacio público."),
    ),
    Org(
        "ngo-mexico",
        "Colectivo de demostración por el espacio público",
        "ngo",
        city=MEXICO_CITY,
        languages=("es",),
        original_language="es",
        descriptions={
            "es": "Colectivo ficticio, para la demostración, que transforma calles en plazas "
            "temporales con vecinos y escuelas."
        },
        themes=("public-space", "mobility"),
        sdgs=(11,),
        challenge=("public-space", "Convertir intervenciones temporales en permanentes."),
        expertise=("public-space", "Urbanismo táctico con pintura y mobiliario reutilizable."),
    ),
    Org(
        "private-montreal",
        "Coopérative de démonstration de données urbaines",
        "private",
        city=MONTREAL,
        languages=("fr", "en"),
        original_language="fr",
        descriptions={
            "fr": "Coopérative fictive, pour la démonstration, qui aide les villes à publier "
            "des données ouvertes fiables et utiles."
        },
        themes=("digital",),
        sdgs=(9, 16),
        challenge=("digital", "Des jeux de données publiés puis jamais mis à jour."),
        expertise=("digital", "Catalogues de données ouvertes pour petites municipalités."),
    ),
    # --- Asia ------------------------------------------------------------------------------------
    Org(
        "surabaya",
        "Surabaya City Government",
        "municipality",
        city=SURABAYA,
        languages=("id", "en"),
        descriptions={
            "en": "Demo profile. A port city known in this demo for neighbourhood waste banks "
            "and green corridors along its canals."
        },
        themes=("waste", "public-space"),
        sdgs=(11, 12),
        challenge=("water-sanitation", "Canals that flood during high tides and heavy rain."),
        expertise=("waste", "Neighbourhood waste banks that pay residents for sorted waste."),
    ),
    Org(
        "pune",
        "Pune Municipal Corporation",
        "municipality",
        city=PUNE,
        languages=("en", "mr", "hi"),
        descriptions={
            "en": "Demo profile. A fast-growing city partnering with waste-picker "
            "cooperatives and publishing its budget in open formats."
        },
        themes=("waste", "digital", "local-finance"),
        sdgs=(8, 12, 16),
        challenge=("mobility", "Traffic growth outpacing public transport."),
        expertise=("waste", "Door-to-door collection contracted to waste-picker cooperatives."),
    ),
    Org(
        "kathmandu",
        "Kathmandu City",
        "municipality",
        city=KATHMANDU,
        languages=("ne", "en"),
        descriptions={
            "en": "Demo profile. A valley city rebuilding heritage squares and training "
            "masons in earthquake-safe construction."
        },
        themes=("culture", "housing", "climate-resilience"),
        sdgs=(11, 13),
        challenge=("housing", "Unsafe self-built houses in fast-growing wards."),
        expertise=("culture", "Reconstruction of heritage squares with local craftspeople."),
    ),
    Org(
        "busan-metro",
        "Busan Metropolitan City",
        "metropolitan",
        city=BUSAN,
        languages=("ko", "en"),
        descriptions={
            "en": "Demo profile. A port metropolis sharing its experience of regenerating "
            "hillside villages and running smart port logistics."
        },
        themes=("housing", "digital", "local-economic-development"),
        sdgs=(9, 11),
        challenge=("local-economic-development", "An ageing population in old port districts."),
        expertise=("housing", "Regeneration of hillside villages with resident cooperatives."),
    ),
    Org(
        "quezon-city",
        "Quezon City",
        "municipality",
        city=QUEZON_CITY,
        languages=("en", "tl"),
        descriptions={
            "en": "Demo profile. A large city of the capital region working on disaster "
            "risk reduction and on-site upgrading of informal settlements."
        },
        themes=("housing", "climate-resilience"),
        sdgs=(1, 11, 13),
        challenge=("housing", "Families living along waterways at risk of flooding."),
        expertise=("climate-resilience", "Barangay-level early warning and evacuation drills."),
    ),
    Org(
        "amman",
        "City of Amman",
        "municipality",
        city=AMMAN,
        languages=("ar", "en"),
        descriptions={
            "en": "Demo profile. A capital that has grown quickly with refugee arrivals and "
            "plans services together with host communities."
        },
        themes=("migration", "basic-services", "water-sanitation"),
        sdgs=(6, 10, 11),
        challenge=("water-sanitation", "Water scarcity and intermittent supply."),
        expertise=("migration", "Joint service planning with refugee and host communities."),
    ),
    Org(
        "lga-idn",
        "Demo Association of Indonesian City Governments",
        "lga",
        city=JAKARTA,
        languages=("id", "en"),
        descriptions={
            "en": "A fictional association for the demo, running a peer-learning programme "
            "on waste and climate between its member cities."
        },
        themes=("waste", "climate-resilience"),
        sdgs=(12, 13, 17),
        challenge=("institutional-capacity", "High turnover of staff in member cities."),
        expertise=("waste", "A replication programme for neighbourhood waste banks."),
    ),
    Org(
        "asia-pacific-network",
        "Demo Asia-Pacific Local Government Network",
        "network",
        city=JAKARTA,
        languages=("en",),
        descriptions={
            "en": "A fictional regional network for the demo, connecting cities and "
            "associations of Asia and the Pacific on resilience and finance."
        },
        themes=("climate-resilience", "local-finance"),
        sdgs=(11, 13, 17),
        challenge=("local-finance", "Access of member cities to climate finance."),
        expertise=("climate-resilience", "City-to-city resilience assessments."),
    ),
    Org(
        "academia-ahmedabad",
        "Demo Centre for Urban Governance Studies",
        "academia",
        city=AHMEDABAD,
        languages=("en", "gu", "hi"),
        descriptions={
            "en": "A fictional research centre for the demo, studying municipal finance and "
            "heat action plans in South Asian cities."
        },
        themes=("local-finance", "climate-resilience", "health"),
        sdgs=(3, 11, 13),
        challenge=("health", "Measuring the health effects of urban heat."),
        expertise=("climate-resilience", "Heat action plans with early warnings for workers."),
    ),
    Org(
        "ngo-kathmandu",
        "Demo Community Housing Trust",
        "ngo",
        city=KATHMANDU,
        languages=("ne", "en"),
        descriptions={
            "en": "A fictional housing trust for the demo, organising savings groups that "
            "rebuild homes with municipal support."
        },
        themes=("housing", "gender"),
        sdgs=(1, 5, 11),
        challenge=("housing", "Land tenure too insecure for home loans."),
        expertise=("housing", "Women-led savings groups for incremental housing."),
    ),
    # --- Europe ----------------------------------------------------------------------------------
    Org(
        "sevilla",
        "Ayuntamiento de Sevilla",
        "municipality",
        city=SEVILLA,
        languages=("es", "en"),
        original_language="es",
        descriptions={
            "es": "Perfil de demostración. Ciudad que adapta calles y patios escolares al "
            "calor extremo con sombra, agua y vegetación.",
        },
        themes=("climate-resilience", "public-space", "health"),
        sdgs=(3, 11, 13),
        challenge=("climate-resilience", "Olas de calor cada vez más largas en verano."),
        expertise=("public-space", "Patios escolares transformados en refugios climáticos."),
    ),
    Org(
        "andalucia",
        "Junta de Andalucía",
        "regional",
        region_of=SEVILLA,
        languages=("es",),
        original_language="es",
        descriptions={
            "es": "Perfil de demostración. Gobierno regional que apoya la cooperación "
            "descentralizada de sus municipios con ciudades del Magreb y de América Latina."
        },
        themes=("institutional-capacity", "water-sanitation"),
        sdgs=(6, 17),
        challenge=("water-sanitation", "Sequías recurrentes en la cuenca del Guadalquivir."),
        expertise=("institutional-capacity", "Fondo regional para la cooperación municipal."),
    ),
    Org(
        "lyon-metro",
        "Métropole de Lyon",
        "metropolitan",
        city=LYON,
        languages=("fr", "en"),
        original_language="fr",
        descriptions={
            "fr": "Profil de démonstration. Métropole qui coopère avec des villes partenaires "
            "sur l'eau potable et la mobilité, et partage ses outils de planification.",
        },
        themes=("water-sanitation", "mobility"),
        sdgs=(6, 11, 17),
        challenge=("mobility", "Réduire la place de la voiture dans la périphérie."),
        expertise=("water-sanitation", "Gestion publique de l'eau et tarification sociale."),
    ),
    Org(
        "grenoble",
        "Ville de Grenoble",
        "municipality",
        city=GRENOBLE,
        languages=("fr",),
        original_language="fr",
        descriptions={
            "fr": "Profil de démonstration. Ville alpine engagée dans la rénovation "
            "énergétique des logements et la démocratie locale."
        },
        themes=("energy", "governance-participation"),
        sdgs=(7, 11, 16),
        challenge=("energy", "Précarité énergétique dans les copropriétés anciennes."),
        expertise=("energy", "Réseau de chaleur alimenté par la biomasse."),
    ),
    Org(
        "utrecht",
        "Gemeente Utrecht",
        "municipality",
        city=UTRECHT,
        languages=("nl", "en"),
        descriptions={
            "en": "Demo profile. A cycling city sharing how it plans for bikes, trains and "
            "pedestrians around a central station."
        },
        themes=("mobility", "public-space"),
        sdgs=(11,),
        challenge=("housing", "Housing shortage for students and young workers."),
        expertise=("mobility", "Station-area bicycle parking and cycle street design."),
    ),
    Org(
        "malmo",
        "Malmö stad",
        "municipality",
        city=MALMO,
        languages=("sv", "en"),
        descriptions={
            "en": "Demo profile. A former shipbuilding city turned into a testing ground for "
            "energy-positive districts and inclusive schools."
        },
        themes=("energy", "education"),
        sdgs=(4, 7, 11),
        challenge=("education", "School results that differ widely between districts."),
        expertise=("energy", "Converting a harbour brownfield into an energy-positive district."),
    ),
    Org(
        "lga-fra",
        "Association de démonstration des villes de France",
        "lga",
        city=PARIS,
        languages=("fr",),
        original_language="fr",
        descriptions={
            "fr": "Association fictive, créée pour la démonstration, qui accompagne ses "
            "membres dans leurs actions internationales.",
            "en": "A fictional association, created for the demo, that supports its members "
            "in their international action.",
        },
        themes=("institutional-capacity",),
        sdgs=(17,),
        challenge=("institutional-capacity", "Faire connaître l'action internationale des élus."),
        expertise=("institutional-capacity", "Guide pratique de la coopération décentralisée."),
    ),
    Org(
        "lga-esp",
        "Federación de demostración de municipios españoles",
        "lga",
        country="ESP",
        languages=("es",),
        original_language="es",
        descriptions={
            "es": "Federación ficticia, creada para la demostración, que coordina la "
            "cooperación internacional de sus municipios miembros."
        },
        themes=("institutional-capacity", "local-finance"),
        sdgs=(17,),
        challenge=(
            "local-finance",
            "Presupuestos de cooperación que dependen de cada legislatura.",
        ),
        expertise=("institutional-capacity", "Red de técnicos municipales de cooperación."),
    ),
    Org(
        "world-network",
        "Demo World Network of Local Governments",
        "network",
        city=BARCELONA,
        languages=("en", "fr", "es"),
        descriptions={
            "en": "A fictional world network, created for the demo, whose members are "
            "national associations and regional networks of local governments.",
            "fr": "Réseau mondial fictif, créé pour la démonstration, dont les membres sont "
            "des associations nationales et des réseaux régionaux de collectivités.",
            "es": "Red mundial ficticia, creada para la demostración, cuyos miembros son "
            "asociaciones nacionales y redes regionales de gobiernos locales.",
        },
        themes=("governance-participation", "institutional-capacity"),
        sdgs=(11, 16, 17),
        challenge=("institutional-capacity", "Showing the results of peer learning to funders."),
        expertise=("institutional-capacity", "Association-to-association mentoring."),
    ),
    Org(
        "coastal-network",
        "Demo network of coastal cities",
        "network",
        languages=("en", "fr", "es"),
        descriptions={
            "en": "A fictional network, created for the demo, where coastal cities compare "
            "how they adapt to sea-level rise.",
            "es": "Red ficticia, creada para la demostración, donde ciudades costeras comparan "
            "cómo se adaptan al aumento del nivel del mar.",
        },
        themes=("climate-resilience",),
        sdgs=(13, 14),
        challenge=(
            "climate-resilience",
            "Comparing adaptation costs between very different cities.",
        ),
        expertise=("climate-resilience", "A shared method for coastal risk maps."),
    ),
    Org(
        "intl-fund",
        "Demo International Fund for Local Development",
        "international",
        city=GENEVA,
        languages=("en", "fr", "es"),
        descriptions={
            "en": "A fictional international fund for the demo, financing triangular "
            "cooperation between Southern local governments with a third partner.",
            "fr": "Fonds international fictif, pour la démonstration, qui finance la "
            "coopération triangulaire entre collectivités du Sud avec un tiers partenaire.",
        },
        themes=("local-finance", "institutional-capacity"),
        sdgs=(17,),
        challenge=("local-finance", "Small grants that cost too much to administer."),
        expertise=("local-finance", "Grant windows designed for city-to-city projects."),
    ),
    Org(
        "academia-utrecht",
        "Demo Institute for Decentralised Cooperation Research",
        "academia",
        city=UTRECHT,
        languages=("en", "fr"),
        descriptions={
            "en": "A fictional research institute for the demo, evaluating city-to-city "
            "partnerships and training staff of associations."
        },
        themes=("governance-participation", "education"),
        sdgs=(4, 17),
        challenge=("education", "Few comparable data on partnership results."),
        expertise=("governance-participation", "Evaluation methods for peer-learning programmes."),
    ),
    Org(
        "private-bonn",
        "Demo Municipal Water Engineering GmbH",
        "private",
        city=BONN,
        languages=("de", "en"),
        descriptions={
            "en": "A fictional engineering firm for the demo, designing leak detection "
            "programmes for municipal water utilities."
        },
        themes=("water-sanitation",),
        sdgs=(6, 9),
        challenge=("water-sanitation", "Utilities without budget to replace old pipes."),
        expertise=("water-sanitation", "Acoustic leak detection and district metering."),
    ),
    Org(
        "agency-fra",
        "Agence de démonstration pour la coopération territoriale",
        "national_agency",
        city=PARIS,
        languages=("fr", "en"),
        original_language="fr",
        descriptions={
            "fr": "Agence nationale fictive, pour la démonstration, qui cofinance les "
            "partenariats des collectivités françaises avec leurs homologues du Sud."
        },
        themes=("local-finance", "institutional-capacity"),
        sdgs=(17,),
        challenge=("institutional-capacity", "Évaluer l'effet des projets dans la durée."),
        expertise=("local-finance", "Appels à projets annuels pour la coopération décentralisée."),
    ),
    # --- Oceania ---------------------------------------------------------------------------------
    Org(
        "suva",
        "Suva City Council",
        "municipality",
        city=SUVA,
        languages=("en", "fj"),
        descriptions={
            "en": "Demo profile. An island capital managing coastal flooding, markets and "
            "solid waste with limited land."
        },
        themes=("climate-resilience", "waste"),
        sdgs=(11, 13, 14),
        challenge=("waste", "A landfill close to capacity on a small island."),
        expertise=("climate-resilience", "Mangrove replanting with coastal villages."),
    ),
    Org(
        "apia",
        "Apia Urban Authority",
        "municipality",
        city=APIA,
        languages=("en", "sm"),
        descriptions={
            "en": "Demo profile. A small Pacific capital planning drainage and sea walls with "
            "the villages around it."
        },
        themes=("climate-resilience", "urban-rural-linkages"),
        sdgs=(13, 14),
        challenge=("climate-resilience", "Storm surges reaching the town centre."),
        expertise=("urban-rural-linkages", "Planning with customary village councils."),
    ),
    Org(
        "auckland",
        "Auckland Council",
        "municipality",
        city=AUCKLAND,
        languages=("en", "mi"),
        descriptions={
            "en": "Demo profile. A city of many Pacific communities, co-designing services "
            "with indigenous and migrant groups."
        },
        themes=("migration", "governance-participation"),
        sdgs=(10, 11, 16),
        challenge=("housing", "Housing costs pushing families to the urban edge."),
        expertise=("governance-participation", "Co-design of services with Pacific communities."),
    ),
    Org(
        "brisbane",
        "Brisbane City Council",
        "municipality",
        city=BRISBANE,
        languages=("en",),
        descriptions={
            "en": "Demo profile. A river city that rebuilt after floods and now shares its "
            "flood-resilient design guidance."
        },
        themes=("climate-resilience", "land"),
        sdgs=(11, 13),
        challenge=("climate-resilience", "River floods affecting low-lying suburbs."),
        expertise=("land", "Flood-resilient building guidance for homeowners."),
    ),
    Org(
        "queensland",
        "Queensland State Government",
        "regional",
        region_of=BRISBANE,
        languages=("en",),
        descriptions={
            "en": "Demo profile. A state government supporting remote councils with disaster "
            "recovery and digital services."
        },
        themes=("climate-resilience", "digital"),
        sdgs=(9, 13),
        challenge=("digital", "Connectivity of remote and island councils."),
        expertise=("climate-resilience", "Disaster recovery funding arrangements for councils."),
    ),
    Org(
        "lga-aus",
        "Demo Association of Australian Councils",
        "lga",
        country="AUS",
        languages=("en",),
        descriptions={
            "en": "A fictional association for the demo, representing urban, regional and "
            "remote councils and sharing practice between them."
        },
        themes=("institutional-capacity", "urban-rural-linkages"),
        sdgs=(16, 17),
        challenge=("urban-rural-linkages", "Keeping services in shrinking rural towns."),
        expertise=("institutional-capacity", "Shared services between neighbouring councils."),
    ),
    Org(
        "pacific-network",
        "Demo Pacific Islands Municipal Network",
        "network",
        city=SUVA,
        languages=("en", "fr"),
        descriptions={
            "en": "A fictional network for the demo, linking Pacific island towns on climate "
            "adaptation and waste.",
            "fr": "Réseau fictif, pour la démonstration, qui relie les villes des îles du "
            "Pacifique sur l'adaptation au climat et les déchets.",
        },
        themes=("climate-resilience", "waste"),
        sdgs=(13, 14, 17),
        challenge=("waste", "Shipping recyclables off small islands."),
        expertise=("climate-resilience", "Peer exchanges between island town clerks."),
    ),
    Org(
        "ngo-pacific",
        "Demo Pacific Resilient Communities Trust",
        "ngo",
        city=APIA,
        languages=("en", "sm"),
        descriptions={
            "en": "A fictional civil-society trust for the demo, training village volunteers "
            "in first aid and evacuation."
        },
        themes=("climate-resilience", "health"),
        sdgs=(3, 13),
        challenge=("health", "Reaching outer islands after a cyclone."),
        expertise=("climate-resilience", "Village volunteer teams for evacuation and first aid."),
    ),
]


# (member, parent, role, start year or None): cities in their national association, associations
# in the world network, cities in regional and thematic networks, research bodies as associates.
MEMBERSHIPS: list[tuple[str, str, str, int | None]] = [
    ("dakar", "lga-sen", "founding_member", 1991),
    ("saint-louis", "lga-sen", "member", 1991),
    ("kisumu", "lga-ken", "member", 2013),
    ("nairobi-metro", "lga-ken", "board_member", 2013),
    ("durban", "lga-zaf", "member", 2001),
    ("medellin", "lga-col", "member", 1995),
    ("sevilla", "lga-esp", "member", 1985),
    ("grenoble", "lga-fra", "member", 1998),
    ("lyon-metro", "lga-fra", "board_member", 2015),
    ("surabaya", "lga-idn", "member", 2004),
    ("brisbane", "lga-aus", "member", 2008),
    ("lga-sen", "world-network", "member", 2004),
    ("lga-ken", "world-network", "member", 2014),
    ("lga-zaf", "world-network", "board_member", 2004),
    ("lga-col", "world-network", "member", 2006),
    ("lga-esp", "world-network", "founding_member", 2004),
    ("lga-fra", "world-network", "founding_member", 2004),
    ("lga-idn", "world-network", "member", 2007),
    ("lga-aus", "world-network", "member", 2010),
    ("africa-network", "world-network", "partner", 2010),
    ("latam-network", "world-network", "partner", 2010),
    ("asia-pacific-network", "world-network", "partner", 2011),
    ("pacific-network", "world-network", "partner", 2016),
    ("academia-utrecht", "world-network", "associate", 2018),
    ("lga-sen", "africa-network", "member", 2008),
    ("dakar", "africa-network", "member", 2008),
    ("ouagadougou", "africa-network", "member", 2009),
    ("kumasi", "africa-network", "member", 2012),
    ("academia-dakar", "africa-network", "associate", 2019),
    ("ngo-kisumu", "africa-network", "observer", 2021),
    ("rosario", "latam-network", "founding_member", 2002),
    ("montevideo", "latam-network", "founding_member", 2002),
    ("valparaiso", "latam-network", "member", 2005),
    ("quito-metro", "latam-network", "member", 2006),
    ("porto-alegre", "latam-network", "member", 2003),
    ("medellin", "latam-network", "member", 2009),
    ("kathmandu", "asia-pacific-network", "member", 2012),
    ("quezon-city", "asia-pacific-network", "member", 2011),
    ("pune", "asia-pacific-network", "member", 2014),
    ("busan-metro", "asia-pacific-network", "board_member", 2011),
    ("lga-idn", "asia-pacific-network", "member", 2011),
    ("academia-ahmedabad", "asia-pacific-network", "associate", 2020),
    ("suva", "pacific-network", "founding_member", 2015),
    ("apia", "pacific-network", "member", 2015),
    ("auckland", "pacific-network", "associate", 2017),
    ("dakar", "coastal-network", "member", 2019),
    ("durban", "coastal-network", "member", 2019),
    ("valparaiso", "coastal-network", "member", 2020),
    ("surabaya", "coastal-network", "member", 2020),
    ("suva", "coastal-network", "member", 2021),
    ("kingston", "coastal-network", "member", 2021),
]

# (username from core.demo.DEMO_USERS, organisation key, role)
ROLES: list[tuple[str, str, str]] = [
    ("amina", "dakar", "admin"),
    ("amina", "lga-sen", "editor"),
    ("amina", "africa-network", "member"),
    ("lucia", "sevilla", "editor"),
    ("lucia", "latam-network", "member"),
    ("demo-admin", "world-network", "admin"),
]
