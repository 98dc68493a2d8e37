"""Short titles of the 17 SDGs in our own words, and the goals' official colours (facts)."""

SDG_SHORT_TITLES: dict[int, tuple[str, str, str, str]] = {
    # number: (colour, English, French, Spanish)
    1: ("#E5243B", "Ending poverty", "Fin de la pauvreté", "Fin de la pobreza"),
    2: ("#DDA63A", "Food and hunger", "Alimentation et faim", "Alimentación y hambre"),
    3: ("#4C9F38", "Health and well-being", "Santé et bien-être", "Salud y bienestar"),
    4: ("#C5192D", "Education for all", "Éducation pour tous", "Educación para todos"),
    5: ("#FF3A21", "Gender equality", "Égalité des genres", "Igualdad de género"),
    6: ("#26BDE2", "Water and sanitation", "Eau et assainissement", "Agua y saneamiento"),
    7: (
        "#FCC30B",
        "Clean, affordable energy",
        "Énergie propre et abordable",
        "Energía limpia y asequible",
    ),
    8: (
        "#A21942",
        "Decent work and growth",
        "Travail décent et croissance",
        "Trabajo decente y crecimiento",
    ),
    9: (
        "#FD6925",
        "Industry and infrastructure",
        "Industrie et infrastructures",
        "Industria e infraestructuras",
    ),
    10: ("#DD1367", "Fewer inequalities", "Moins d’inégalités", "Menos desigualdades"),
    11: ("#FD9D24", "Sustainable cities", "Villes durables", "Ciudades sostenibles"),
    12: ("#BF8B2E", "Responsible consumption", "Consommation responsable", "Consumo responsable"),
    13: ("#3F7E44", "Climate action", "Action pour le climat", "Acción por el clima"),
    14: ("#0A97D9", "Life in the oceans", "Vie dans les océans", "Vida en los océanos"),
    15: ("#56C02B", "Life on land", "Vie sur terre", "Vida terrestre"),
    16: (
        "#00689D",
        "Peace and strong institutions",
        "Paix et institutions solides",
        "Paz e instituciones sólidas",
    ),
    17: (
        "#19486A",
        "Partnerships for the goals",
        "Partenariats pour les objectifs",
        "Alianzas para los objetivos",
    ),
}
