"""The project's institutional capacity framework: dimensions, and what each level 1–5 means."""

# slug, applies to ("all" or "association"), English, French, Spanish
DIMENSIONS: list[tuple[str, str, str, str, str]] = [
    (
        "strategic-planning",
        "all",
        "Strategic planning",
        "Planification stratégique",
        "Planificación estratégica",
    ),
    (
        "local-finance",
        "all",
        "Local finance and revenue",
        "Finances et recettes locales",
        "Finanzas e ingresos locales",
    ),
    ("human-resources", "all", "Human resources", "Ressources humaines", "Recursos humanos"),
    (
        "service-delivery",
        "all",
        "Service delivery",
        "Prestation des services",
        "Prestación de servicios",
    ),
    (
        "participation",
        "all",
        "Citizen participation",
        "Participation citoyenne",
        "Participación ciudadana",
    ),
    (
        "data-monitoring",
        "all",
        "Data, monitoring and evaluation",
        "Données, suivi et évaluation",
        "Datos, seguimiento y evaluación",
    ),
    (
        "institutional-setup",
        "association",
        "Institutional set-up",
        "Organisation institutionnelle",
        "Estructura institucional",
    ),
    (
        "advocacy",
        "association",
        "Advocacy and dialogue with the state",
        "Plaidoyer et dialogue avec l’État",
        "Incidencia y diálogo con el Estado",
    ),
    (
        "member-services",
        "association",
        "Services to members",
        "Services aux membres",
        "Servicios a los miembros",
    ),
]

# level: (English, French, Spanish)
LEVELS: dict[int, tuple[str, str, str]] = {
    1: (
        "Absent: no practice in place",
        "Absente : aucune pratique en place",
        "Ausente: ninguna práctica establecida",
    ),
    2: (
        "Emerging: ad hoc, depends on individuals",
        "Émergente : ponctuelle, dépend des personnes",
        "Emergente: puntual, depende de las personas",
    ),
    3: (
        "Established: written procedures, applied",
        "Établie : procédures écrites et appliquées",
        "Establecida: procedimientos escritos y aplicados",
    ),
    4: (
        "Advanced: measured and improved",
        "Avancée : mesurée et améliorée",
        "Avanzada: medida y mejorada",
    ),
    5: (
        "Leading: a reference that peers learn from",
        "Exemplaire : une référence pour les pairs",
        "Referente: un modelo del que aprenden los pares",
    ),
}
