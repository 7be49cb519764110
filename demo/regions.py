"""What a clinic's place decides: postal code, telephone area code, regulators, languages spoken.

Approximations by latitude and longitude; good enough that a Toronto clinic has an M postal code and a
416 number and a Gatineau clinic a J postal code and an 819 number.
"""

from __future__ import annotations

import random
from functools import cache

import phonenumbers

from demo.reference import CHIRO, MASSAGE, PHYSIO

_POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"  # Canada Post never uses D, F, I, O, Q or U


def _in_box(lat: float, lng: float, south: float, west: float, north: float, east: float) -> bool:
    return south <= lat <= north and west <= lng <= east


def _region(province: str, lat: float, lng: float) -> str:
    """A sub-provincial region: picks the postal code's first letter and the phone area codes."""
    if province == "ON":
        if _in_box(lat, lng, 43.58, -79.64, 43.86, -79.11):
            return "toronto"
        if lng > -77.6:
            return "eastern-on"
        if lat >= 45.0 or (lat >= 44.2 and lng > -80.3):
            return "northwest-on" if lng < -85.0 else "northern-on"
        return "southwest-on" if lng <= -80.3 else "gta"
    if province == "QC":
        if _in_box(lat, lng, 45.40, -73.98, 45.71, -73.47):
            return "montreal"
        if lng > -72.8 and lat > 46.1:
            return "eastern-qc"
        if lng < -74.4 or lat > 46.1 or lng > -72.6:
            return "western-qc"
        return "montreal-suburbs"
    if province == "BC":
        return "lower-mainland" if _in_box(lat, lng, 48.9, -123.3, 49.5, -121.3) else "interior-bc"
    if province == "AB":
        return "northern-ab" if lat > 52.0 else "southern-ab"
    return province.lower()


_REGION_POSTAL = {
    "toronto": "M",
    "gta": "L",
    "eastern-on": "K",
    "southwest-on": "N",
    "northern-on": "P",
    "northwest-on": "P",
    "montreal": "H",
    "eastern-qc": "G",
    "western-qc": "J",
    "montreal-suburbs": "J",
    "lower-mainland": "V",
    "interior-bc": "V",
    "northern-ab": "T",
    "southern-ab": "T",
    "nl": "A",
    "ns": "B",
    "pe": "C",
    "nb": "E",
    "mb": "R",
    "sk": "S",
    "nt": "X",
    "nu": "X",
    "yt": "Y",
}

# Area codes in service in each region (overlays included, the newest left out).
_REGION_AREA_CODES = {
    "toronto": (416, 647, 437),
    "gta": (905, 289, 365),
    "eastern-on": (613, 343),
    "southwest-on": (519, 226, 548),
    "northern-on": (705, 249),
    "northwest-on": (807,),
    "montreal": (514, 438),
    "eastern-qc": (418, 581),
    "western-qc": (819, 873),
    "montreal-suburbs": (450, 579),
    "lower-mainland": (604, 778, 236),
    "interior-bc": (250, 778, 236),
    "northern-ab": (780, 587, 825),
    "southern-ab": (403, 587, 825),
    "nl": (709,),
    "ns": (902, 782),
    "pe": (902, 782),
    "nb": (506,),
    "mb": (204, 431),
    "sk": (306, 639),
    "nt": (867,),
    "nu": (867,),
    "yt": (867,),
}


def postal_code(rng: random.Random, *, province: str, lat: float, lng: float) -> str:
    first = _REGION_POSTAL[_region(province, lat, lng)]
    # Urban forward sortation areas have a non-zero digit; 0 marks rural routes.
    return (
        f"{first}{rng.randint(1, 9)}{rng.choice(_POSTAL_LETTERS)} "
        f"{rng.randint(0, 9)}{rng.choice(_POSTAL_LETTERS)}{rng.randint(0, 9)}"
    )


def phone_number(rng: random.Random, *, province: str, lat: float, lng: float) -> str:
    """A number in E.164 that ``phonenumbers`` accepts as a valid Canadian number, with a local area code."""
    area = rng.choice(_REGION_AREA_CODES[_region(province, lat, lng)])
    while True:
        exchange = rng.randint(200, 999)
        # N11 codes are service numbers and 555 is reserved for fiction and directory services.
        if exchange % 100 == 11 or exchange == 555 or not _valid(area, exchange):
            continue
        return f"+1{area}{exchange}{rng.randint(0, 9999):04d}"


@cache
def _valid(area: int, exchange: int) -> bool:
    number = phonenumbers.parse(f"+1{area}{exchange}4567")
    return phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) == "CA"


def french_share(*, province: str, lat: float, lng: float) -> float:
    """The share of practitioners who work in French here."""
    if province == "QC":
        return 1.0
    if province == "NB":
        # The Acadian north and east, and Moncton, are largely French-speaking.
        return 0.75 if lat > 46.9 or lng > -65.2 else 0.35
    if province == "ON" and lng > -76.6 and lat < 46.0:
        return 0.45  # Ottawa and eastern Ontario
    if province == "ON" and lat > 46.0 and lng > -84.0:
        return 0.2  # Sudbury and the north-east
    if province == "MB":
        return 0.08  # Saint-Boniface
    return 0.04


def english_share(*, province: str, lat: float, lng: float) -> float:
    if province == "QC":
        return 0.9 if _region(province, lat, lng) == "montreal" else 0.55
    return 1.0


# Other languages heard in clinics, weighted by province (census mother tongues, roughly).
OTHER_LANGUAGES: dict[str, dict[str, int]] = {
    "ON": {
        "zh": 10,
        "yue": 7,
        "pa": 7,
        "hi": 5,
        "ur": 5,
        "ta": 4,
        "gu": 3,
        "tl": 4,
        "it": 4,
        "pt": 4,
        "es": 5,
        "ar": 4,
        "fa": 4,
        "ko": 2,
        "ru": 2,
        "pl": 2,
        "uk": 2,
        "el": 2,
        "vi": 2,
    },
    "BC": {"zh": 12, "yue": 10, "pa": 12, "hi": 3, "tl": 5, "ko": 4, "fa": 4, "es": 3, "de": 2, "vi": 2, "ru": 1},
    "AB": {"tl": 8, "pa": 6, "zh": 5, "yue": 3, "es": 4, "ar": 4, "uk": 4, "hi": 3, "ur": 3, "de": 2, "vi": 2},
    "QC": {"es": 8, "ar": 10, "it": 6, "ht": 6, "pt": 4, "el": 3, "vi": 3, "zh": 3, "fa": 2, "ru": 2},
    "MB": {"tl": 10, "pa": 5, "uk": 5, "de": 4, "zh": 2, "es": 2},
    "SK": {"tl": 6, "uk": 6, "de": 4, "pa": 3, "zh": 2},
    "NS": {"ar": 3, "zh": 3, "es": 2, "hi": 2, "de": 1},
    "NB": {"ar": 3, "zh": 2, "es": 2, "hi": 1},
    "PE": {"zh": 3, "ar": 2, "hi": 1},
    "NL": {"zh": 2, "ar": 2, "hi": 1, "es": 1},
    "YT": {"tl": 3, "de": 2},
    "NT": {"tl": 3, "ar": 1},
    "NU": {"iu": 10},
}


def other_language_chance(*, province: str, population: int) -> float:
    if province == "NU":
        return 0.3
    if population >= 300_000:
        return 0.35
    return 0.2 if population >= 50_000 else 0.08


_GOVERNMENT = {
    "YT": "Government of Yukon, Professional Licensing",
    "NT": "Government of the Northwest Territories, Professional Licensing",
    "NU": "Government of Nunavut, Professional Licensing",
}
# Regulator per discipline and province; a missing province means the profession is not regulated there.
COLLEGES: dict[str, dict[str, str]] = {
    PHYSIO: {
        "AB": "Physiotherapy Alberta College + Association",
        "BC": "College of Health and Care Professionals of BC",
        "MB": "College of Physiotherapists of Manitoba",
        "NB": "College of Physiotherapists of New Brunswick",
        "NL": "Newfoundland and Labrador College of Physiotherapists",
        "NS": "Nova Scotia College of Physiotherapists",
        "ON": "College of Physiotherapists of Ontario",
        "PE": "Prince Edward Island College of Physiotherapists",
        "QC": "Ordre professionnel de la physiothérapie du Québec",
        "SK": "Saskatchewan College of Physical Therapists",
        **_GOVERNMENT,
    },
    CHIRO: {
        "AB": "College of Chiropractors of Alberta",
        "BC": "College of Complementary Health Professionals of BC",
        "MB": "Manitoba Chiropractors Association",
        "NB": "New Brunswick Chiropractors' Association",
        "NL": "Newfoundland and Labrador Chiropractic Board",
        "NS": "Nova Scotia College of Chiropractors",
        "ON": "College of Chiropractors of Ontario",
        "PE": "Prince Edward Island Chiropractic Association",
        "QC": "Ordre des chiropraticiens du Québec",
        "SK": "Chiropractors' Association of Saskatchewan",
        "YT": _GOVERNMENT["YT"],
    },
    MASSAGE: {
        "BC": "College of Complementary Health Professionals of BC",
        "NB": "College of Massage Therapists of New Brunswick",
        "NL": "College of Massage Therapists of Newfoundland and Labrador",
        "ON": "College of Massage Therapists of Ontario",
    },
}

# (credentials, weight) per discipline; Quebec physiotherapists sign "pht".
CREDENTIALS: dict[str, list[tuple[str, int]]] = {
    PHYSIO: [("PT", 4), ("MScPT", 5), ("MPT", 2), ("BScPT", 2), ("MScPT, FCAMPT", 2), ("PT, FCAMPT", 1)],
    "physiotherapy-qc": [("pht", 6), ("pht, M.Sc.", 3), ("pht, FCAMPT", 1)],
    CHIRO: [("DC", 8), ("DC, FRCCSS(C)", 1), ("DC, MSc", 1)],
    MASSAGE: [("RMT", 1)],
    "massage_therapy-qc": [("massothérapeute", 1)],
}


def credentials_for(rng: random.Random, *, discipline: str, province: str) -> str:
    options = CREDENTIALS.get(f"{discipline}-qc" if province == "QC" else discipline, CREDENTIALS[discipline])
    return rng.choices([c for c, _ in options], weights=[w for _, w in options])[0]
