"""The project's own table of country labels that ISO 3166 names do not cover.

Twinning lists name countries in free text. Most labels are an ISO 3166 name in English, French or
Spanish, which the ``Country`` rows already carry; this table adds the rest, keyed by the folded
label (:func:`citypeers.core.text.fold`):

- constituent countries of the United Kingdom, which have no ISO 3166-1 code of their own;
- historic and common names (``Burma``, ``Zaire``, ``Swaziland``, ``Ivory Coast``, ``Turkey``…);
- names in another language that the lists use (``Island`` is German for Iceland).

A value of ``None`` marks a label we recognise but deliberately leave unresolved, because there is
no single ISO 3166-1 country to map it to (Kosovo has none; Czechoslovakia and the Soviet Union
were split). The importer reports such rows instead of guessing.

Overseas parts of a state that have an ISO 3166-1 code of their own (Martinique ``MTQ``,
Réunion ``REU``, the Åland Islands ``ALA``…) resolve to that code, not to the sovereign state:
GeoNames files their towns under the territory's code, and the territory's own classification
applies. The
importer reads a label ``"X, Y"`` as X first and Y second, so ``"Martinique, France"`` is MTQ and
``"Brandenburg, Germany"`` is DEU.

Northern Cyprus is filed under Cyprus (``CYP``), as GeoNames and ISO 3166 do.
"""

from __future__ import annotations

COUNTRY_ALIASES: dict[str, str | None] = {
    # United Kingdom and its constituent countries
    "england": "GBR",
    "scotland": "GBR",
    "wales": "GBR",
    "northern ireland": "GBR",
    "great britain": "GBR",
    "britain": "GBR",
    "uk": "GBR",
    "u k": "GBR",
    "united kingdom of great britain and northern ireland": "GBR",
    # Common and historic names
    "republic of ireland": "IRL",
    "eire": "IRL",
    "russia": "RUS",
    "soviet russia": "RUS",
    "turkey": "TUR",
    "turkiye": "TUR",
    "czech republic": "CZE",
    "bohemia": "CZE",
    "moravia": "CZE",
    "slovak republic": "SVK",
    "swaziland": "SWZ",
    "burma": "MMR",
    "ivory coast": "CIV",
    "cote d ivoire": "CIV",
    "macedonia": "MKD",
    "republic of macedonia": "MKD",
    "fyrom": "MKD",
    "former yugoslav republic of macedonia": "MKD",
    "zaire": "COD",
    "democratic republic of the congo": "COD",
    "dr congo": "COD",
    "drc": "COD",
    "congo kinshasa": "COD",
    "republic of the congo": "COG",
    "congo brazzaville": "COG",
    "cape verde": "CPV",
    "east timor": "TLS",
    "brunei": "BRN",
    "micronesia": "FSM",
    "federated states of micronesia": "FSM",
    "palestine": "PSE",
    "state of palestine": "PSE",
    "palestinian territories": "PSE",
    "west bank": "PSE",
    "gaza strip": "PSE",
    "georgia country": "GEO",
    "moldavia": "MDA",
    "bessarabia": "MDA",
    "byelorussia": "BLR",
    "belorussia": "BLR",
    "kampuchea": "KHM",
    "dahomey": "BEN",
    "upper volta": "BFA",
    "ceylon": "LKA",
    "siam": "THA",
    "persia": "IRN",
    "rhodesia": "ZWE",
    "holland": "NLD",
    "the netherlands": "NLD",
    "vatican": "VAT",
    "vatican city": "VAT",
    "holy see": "VAT",
    "korea": "KOR",
    "republic of korea": "KOR",
    "south korea": "KOR",
    "north korea": "PRK",
    "laos": "LAO",
    "syria": "SYR",
    "vietnam": "VNM",
    "viet nam": "VNM",
    "usa": "USA",
    "u s a": "USA",
    "us": "USA",
    "united states of america": "USA",
    "america": "USA",
    "west germany": "DEU",
    "east germany": "DEU",
    "federal republic of germany": "DEU",
    "german democratic republic": "DEU",
    "falkland islands": "FLK",
    "northern cyprus": "CYP",
    "turkish republic of northern cyprus": "CYP",
    "the gambia": "GMB",
    "the bahamas": "BHS",
    "sao tome": "STP",
    "saint kitts": "KNA",
    "st kitts and nevis": "KNA",
    "st lucia": "LCA",
    "st vincent and the grenadines": "VCT",
    "bosnia": "BIH",
    "bosnia herzegovina": "BIH",
    "hong kong": "HKG",
    "macau": "MAC",
    "tibet": "CHN",
    # Other languages used in the lists
    "island": "ISL",  # German for Iceland
    "deutschland": "DEU",
    "italia": "ITA",
    "polska": "POL",
    "osterreich": "AUT",
    "schweiz": "CHE",
    "suisse": "CHE",
    "sverige": "SWE",
    "norge": "NOR",
    "danmark": "DNK",
    "suomi": "FIN",
    "magyarorszag": "HUN",
    "nederland": "NLD",
    # Recognised, but no single ISO 3166-1 country: reported, never guessed.
    "kosovo": None,
    "republic of kosovo": None,
    "czechoslovakia": None,
    "soviet union": None,
    "ussr": None,
    "yugoslavia": None,
    "serbia and montenegro": None,
}

# Where a town of a labelled country may be filed under another ISO code: a state's overseas
# parts and, the other way round, a territory's sovereign. Tried only when the town is not found
# in the labelled country itself ("Mariehamn, Finland" is in the Åland Islands, ALA).
RELATED_COUNTRIES: dict[str, tuple[str, ...]] = {
    "FIN": ("ALA",),
    "FRA": ("REU", "GLP", "MTQ", "GUF", "MYT", "PYF", "NCL", "SPM", "WLF", "BLM", "MAF"),
    "GBR": ("IMN", "JEY", "GGY", "GIB", "BMU", "CYM", "VGB", "FLK", "AIA", "MSR", "TCA", "SHN"),
    "USA": ("PRI", "GUM", "VIR", "ASM", "MNP"),
    "NLD": ("ABW", "CUW", "SXM", "BES"),
    "DNK": ("FRO", "GRL"),
    "NOR": ("SJM",),
    "CHN": ("HKG", "MAC"),
    "AUS": ("NFK", "CXR", "CCK"),
    "NZL": ("COK", "NIU", "TKL"),
    "MAR": ("ESH",),
    "ESH": ("MAR",),
}
for _sovereign, _parts in list(RELATED_COUNTRIES.items()):
    for _part in _parts:
        RELATED_COUNTRIES.setdefault(_part, (_sovereign,))
