"""The project's taxonomy of urban and territorial policy areas (labels written by the project)."""

THEMES: list[tuple[str, str, str, str]] = [
    # slug, English, French, Spanish
    ("public-space", "Public space", "Espace public", "Espacio público"),
    ("water-sanitation", "Water and sanitation", "Eau et assainissement", "Agua y saneamiento"),
    ("waste", "Waste management", "Gestion des déchets", "Gestión de residuos"),
    ("mobility", "Mobility and transport", "Mobilité et transports", "Movilidad y transporte"),
    ("housing", "Housing", "Logement", "Vivienda"),
    ("land", "Land and urban planning", "Foncier et urbanisme", "Suelo y planificación urbana"),
    ("local-finance", "Local finance", "Finances locales", "Finanzas locales"),
    (
        "local-economic-development",
        "Local economic development",
        "Développement économique local",
        "Desarrollo económico local",
    ),
    (
        "urban-rural-linkages",
        "Urban–rural linkages",
        "Liens urbains–ruraux",
        "Vínculos urbano-rurales",
    ),
    ("climate-resilience", "Climate and resilience", "Climat et résilience", "Clima y resiliencia"),
    ("energy", "Energy", "Énergie", "Energía"),
    ("culture", "Culture and heritage", "Culture et patrimoine", "Cultura y patrimonio"),
    ("migration", "Migration and inclusion", "Migrations et inclusion", "Migración e inclusión"),
    ("gender", "Gender equality", "Égalité de genre", "Igualdad de género"),
    (
        "governance-participation",
        "Governance and participation",
        "Gouvernance et participation",
        "Gobernanza y participación",
    ),
    ("digital", "Digital and data", "Numérique et données", "Digital y datos"),
    ("health", "Health", "Santé", "Salud"),
    ("education", "Education and youth", "Éducation et jeunesse", "Educación y juventud"),
    ("food-systems", "Food systems", "Systèmes alimentaires", "Sistemas alimentarios"),
    (
        "basic-services",
        "Basic services delivery",
        "Services de base",
        "Prestación de servicios básicos",
    ),
    (
        "institutional-capacity",
        "Institutional capacity",
        "Capacités institutionnelles",
        "Capacidad institucional",
    ),
    ("peace-security", "Peace and safety", "Paix et sécurité", "Paz y seguridad"),
]
