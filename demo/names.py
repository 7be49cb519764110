"""Names that look real: people, streets, clinics and their descriptions, in English and French."""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

from demo.reference import CHIRO, MASSAGE, PHYSIO

_POOL_SIZE = 1500

# Names for practitioners who also speak a heritage language (first names, last names); a Punjabi-
# speaking physiotherapist in Surrey is more often a Sandhu than a Tremblay.
HERITAGE_NAMES: dict[str, tuple[str, str]] = {
    "zh": ("Wei Jing Li Xin Yan Hao Mei Jun Lei Ying", "Wang Li Zhang Liu Chen Yang Zhao Huang Zhou Wu"),
    "yue": (
        "Wing Kwok Hoi Ka-Yan Mei-Ling Chi-Keung Siu-Ling Man-Kit",
        "Chan Wong Lam Leung Cheung Ho Ng Lau Tsang Yip",
    ),
    "pa": (
        "Gurpreet Harpreet Manpreet Jaspreet Navdeep Amandeep Simran Rajinder Harjit Kiran",
        "Sandhu Gill Dhillon Sidhu Brar Grewal Bains Johal Sangha Virk",
    ),
    "hi": ("Priya Rahul Anjali Vikram Neha Arjun Pooja Rohan Sneha Amit", "Sharma Gupta Mehta Kumar Joshi Verma Reddy"),
    "gu": ("Hetal Nirav Krupa Jignesh Dhara Parth", "Patel Shah Desai Mehta Parikh Modi"),
    "ur": ("Ayesha Imran Fatima Bilal Sana Usman Hira Faisal", "Khan Ahmed Malik Qureshi Siddiqui Chaudhry Iqbal"),
    "ta": (
        "Arun Kavitha Senthil Tharshan Nithya Suresh Meena",
        "Sivakumar Rajaratnam Selvarajah Thiruchelvam Yogarajah",
    ),
    "tl": (
        "Maria Jose Angelica Mark Kristine Paolo Jasmine Rommel",
        "Santos Reyes Cruz Bautista Mendoza Villanueva Aquino",
    ),
    "es": (
        "Alejandro Sofía Carlos Valentina Diego Camila Javier Lucía",
        "García Rodríguez Martínez López González Torres",
    ),
    "pt": (
        "João Ana Miguel Beatriz Tiago Inês Ricardo Catarina",
        "Silva Santos Ferreira Pereira Costa Medeiros Amaral",
    ),
    "it": (
        "Marco Giulia Luca Francesca Alessandro Chiara Matteo Elena",
        "Rossi Russo Ferrari Esposito Romano Colombo Ricci",
    ),
    "ar": ("Omar Layla Karim Nour Youssef Rania Ahmad Yasmine", "Haddad Khoury Nasser Saleh Hamdan Mansour Aziz Farah"),
    "fa": ("Arash Shirin Babak Nazanin Reza Parisa Kaveh Leila", "Hosseini Ahmadi Rezaei Karimi Moradi Jafari Tehrani"),
    "ko": ("Min-jun Ji-woo Seo-yeon Hyun Ji-hoon Soo-jin Eun-ji", "Kim Lee Park Choi Jung Kang Cho Yoon"),
    "vi": ("Minh Linh Thao Tuan Huong Duc Lan Quang", "Nguyen Tran Le Pham Hoang Vu Dang Bui"),
    "el": ("Nikos Eleni Dimitri Sofia Yannis Katerina", "Papadopoulos Georgiou Dimitriou Konstantinou Vlahos"),
    "ru": ("Dmitri Anastasia Sergei Olga Alexei Natalia", "Ivanov Smirnov Kuznetsov Popov Volkov"),
    "uk": ("Oksana Taras Nataliya Andriy Iryna Bohdan", "Kowalchuk Shevchenko Melnyk Bondarenko Tkachuk Hrynchuk"),
    "pl": ("Katarzyna Piotr Agnieszka Tomasz Magdalena Krzysztof", "Nowak Kowalski Wiśniewski Wójcik Lewandowski"),
    "de": ("Lukas Anna Jonas Katharina Felix Lena", "Müller Schmidt Schneider Fischer Weber Wagner"),
    "ht": (
        "Jean-Robert Marie-Claude Widlyne Fritz Nadège Ricardo",
        "Jean-Baptiste Pierre Joseph Charles Désir Laguerre",
    ),
    "iu": ("Annie Joanasie Elisapee Jamesie Leetia Pauloosie", "Kilabuk Akavak Ishulutak Qaunaq Alookee Nowdluk"),
}

# Faker's en_CA street names ("Reynolds Track") do not look Canadian; these do.
_STREETS_EN = [
    "King",
    "Queen",
    "Main",
    "Church",
    "Victoria",
    "Wellington",
    "Elgin",
    "Water",
    "Park",
    "Mill",
    "Albert",
    "George",
    "Richmond",
    "Dufferin",
    "Simcoe",
    "Brock",
    "Erie",
    "Huron",
    "Maple",
    "Oak",
    "Cedar",
    "Birch",
    "Pine",
    "Elm",
    "Lakeshore",
    "Riverside",
    "College",
    "University",
    "Centre",
    "Portage",
    "Jasper",
    "Granville",
    "Broadway",
    "Macleod",
    "Hastings",
    "Fort",
    "Colborne",
    "Talbot",
    "Dalhousie",
    "Barrington",
    "Duckworth",
    "Kent",
    "Pembina",
    "Spadina",
    "Bloor",
    "Dundas",
    "Danforth",
    "Bank",
    "Carling",
    "Baseline",
    "Gordon",
    "Ontario",
    "Princess",
    "Division",
    "Front",
    "Bay",
    "Harbour",
    "Prince",
    "Edward",
    "Grafton",
    "Robson",
]
_STREET_KINDS_EN = [("Street", 40), ("Avenue", 20), ("Road", 15), ("Drive", 8), ("Boulevard", 7), ("Way", 5)]
_STREETS_FR = [
    "Saint-Denis",
    "Sainte-Catherine",
    "Notre-Dame",
    "Sherbrooke",
    "Saint-Laurent",
    "Principale",
    "de l'Église",
    "Wellington",
    "Laurier",
    "Papineau",
    "Saint-Hubert",
    "Masson",
    "Beaubien",
    "Jean-Talon",
    "des Érables",
    "du Lac",
    "Champlain",
    "Jacques-Cartier",
    "Saint-Jean",
    "Frontenac",
    "René-Lévesque",
    "Saint-Joseph",
    "du Parc",
    "Sainte-Anne",
    "Saint-Georges",
    "Racine",
    "Cartier",
    "de la Gare",
    "Dollard",
    "Maisonneuve",
    "Taschereau",
    "des Forges",
    "Saint-Charles",
    "Talbot",
    "Royale",
    "Marie-Victorin",
]
_STREET_KINDS_FR = [("rue", 55), ("boulevard", 20), ("avenue", 10), ("chemin", 10), ("route", 5)]

_STEMS_EN = [
    "Riverside",
    "Lakeshore",
    "Parkside",
    "Summit",
    "Northgate",
    "Westside",
    "Eastside",
    "Uptown",
    "Downtown",
    "Harbourfront",
    "Hillcrest",
    "Maple Leaf",
    "Oakwood",
    "Cedarbrook",
    "Pinecrest",
    "Meadowvale",
    "Core",
    "Align",
    "Kinetic",
    "Motion",
    "Active",
    "Balance",
    "Evolve",
    "Restore",
    "Peak",
    "True North",
    "Aurora",
    "Elevate",
    "Vitality",
    "Momentum",
    "Stride",
    "Keystone",
    "Cornerstone",
    "Heritage",
    "Central",
    "Family",
    "Sport",
    "Back in Motion",
]
_STEMS_BY_PROVINCE = {
    "AB": ["Prairie", "Chinook", "Rocky Mountain"],
    "SK": ["Prairie", "Wheatland"],
    "MB": ["Prairie", "Red River", "Assiniboine"],
    "BC": ["Coastal", "Pacific", "Mountain View", "Sea to Sky"],
    "ON": ["Trillium", "Lakeshore", "Great Lakes"],
    "NS": ["Atlantic", "Bluenose", "Harbour"],
    "NB": ["Atlantic", "Fundy", "Harbour"],
    "PE": ["Island", "Red Sands"],
    "NL": ["Atlantic", "Rock", "Harbour"],
    "YT": ["Northern Lights", "Midnight Sun", "Klondike"],
    "NT": ["Northern Lights", "Aurora", "Great Slave"],
    "NU": ["Northern Lights", "Arctic", "Inukshuk"],
}
_STEMS_FR = [
    "du Plateau",
    "des Érables",
    "Boréal",
    "Horizon",
    "Cap-Santé",
    "Équilibre",
    "Synergie",
    "Alliance",
    "Optimum",
    "Mouvement",
    "Vitalité",
    "Santé globale",
    "Élan",
    "Axe",
    "Harmonie",
    "de la Rive-Sud",
    "du Vieux-Port",
    "Laurentides",
    "Saint-Laurent",
    "du Fleuve",
    "Physio-Action",
]

# Clinic name patterns by the set of disciplines practised; {s} is a stem (a place, a street, a word).
_PATTERNS_EN: dict[frozenset[str], list[str]] = {
    frozenset({PHYSIO}): [
        "{s} Physiotherapy",
        "{s} Physiotherapy & Sports Injury Clinic",
        "{s} Physio",
        "{s} Physiotherapy and Rehab",
        "{s} Sports Physiotherapy",
        "{s} Physiotherapy Centre",
    ],
    frozenset({CHIRO}): [
        "{s} Chiropractic",
        "{s} Chiropractic Clinic",
        "{s} Family Chiropractic",
        "{s} Spine & Joint Centre",
        "{s} Chiropractic Wellness",
    ],
    frozenset({MASSAGE}): ["{s} Massage Therapy", "{s} Registered Massage Therapy", "{s} Therapeutic Massage"],
    frozenset({PHYSIO, MASSAGE}): ["{s} Physiotherapy & Massage", "{s} Physio + Massage", "{s} Rehab & Wellness"],
    frozenset({CHIRO, MASSAGE}): ["{s} Chiropractic & Massage", "{s} Chiropractic and Massage Therapy"],
    frozenset({PHYSIO, CHIRO}): ["{s} Physiotherapy & Chiropractic", "{s} Spine & Sports Clinic"],
    frozenset({PHYSIO, CHIRO, MASSAGE}): [
        "{s} Health Centre",
        "{s} Wellness Clinic",
        "{s} Sports Medicine & Rehab",
        "{s} Integrated Health",
        "{s} Physiotherapy, Chiropractic & Massage",
    ],
}
_PATTERNS_FR: dict[frozenset[str], list[str]] = {
    frozenset({PHYSIO}): [
        "Clinique de physiothérapie {s}",
        "Physio {s}",
        "Physiothérapie {s}",
        "Centre de physiothérapie {s}",
    ],
    frozenset({CHIRO}): ["Clinique chiropratique {s}", "Chiropratique {s}", "Centre chiropratique {s}"],
    frozenset({MASSAGE}): ["Massothérapie {s}", "Centre de massothérapie {s}"],
    frozenset({PHYSIO, MASSAGE}): ["Physio et massothérapie {s}", "Clinique de physiothérapie et massothérapie {s}"],
    frozenset({CHIRO, MASSAGE}): ["Clinique chiropratique et massothérapie {s}"],
    frozenset({PHYSIO, CHIRO}): ["Clinique physio-chiro {s}", "Centre de réadaptation {s}"],
    frozenset({PHYSIO, CHIRO, MASSAGE}): [
        "Centre de santé {s}",
        "Clinique multidisciplinaire {s}",
        "Centre de réadaptation {s}",
    ],
}

_WHAT_EN = {PHYSIO: "physiotherapy", CHIRO: "chiropractic care", MASSAGE: "registered massage therapy"}
_WHAT_FR = {PHYSIO: "physiothérapie", CHIRO: "chiropratique", MASSAGE: "massothérapie"}
_TITLE_EN = {PHYSIO: "physiotherapist", CHIRO: "chiropractor", MASSAGE: "registered massage therapist"}
_EXTRAS_EN = [
    "Direct billing to most insurers.",
    "Evening and Saturday appointments.",
    "Free parking on site.",
    "Close to public transit.",
    "Sports injuries, back and neck pain, and post-surgical rehab.",
    "Motor vehicle accident and workplace injury claims welcome.",
    "One-on-one treatment, never double-booked.",
]
_EXTRAS_FR = [
    "Facturation directe à la plupart des assureurs.",
    "Rendez-vous en soirée et le samedi.",
    "Stationnement gratuit sur place.",
    "À deux pas du transport en commun.",
    "Blessures sportives, maux de dos et de cou, réadaptation postopératoire.",
    "Dossiers SAAQ et CNESST acceptés.",
    "Traitements individuels, jamais de double réservation.",
]


def _weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _join(items: list[str], conjunction: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


@dataclass
class Namer:
    """Picks names from pools drawn once from Faker (seeded), since calling Faker per row is slow."""

    first_en: list[str]
    last_en: list[str]
    first_fr: list[str]
    last_fr: list[str]

    @classmethod
    def seeded(cls, seed: int) -> Namer:
        pools = []
        for locale in ("en_CA", "fr_CA"):
            fake = Faker(locale)
            fake.seed_instance(seed)
            pools.append(sorted({fake.first_name() for _ in range(_POOL_SIZE)}))
            pools.append(sorted({fake.last_name() for _ in range(_POOL_SIZE)}))
        return cls(*pools)

    def person(self, rng: random.Random, *, french: bool, heritage: str | None) -> tuple[str, str]:
        if heritage in HERITAGE_NAMES and rng.random() < 0.7:
            first, last = HERITAGE_NAMES[heritage]
            return rng.choice(first.split()), rng.choice(last.split())
        if french:
            return rng.choice(self.first_fr), rng.choice(self.last_fr)
        return rng.choice(self.first_en), rng.choice(self.last_en)

    def address(self, rng: random.Random, *, french: bool) -> tuple[str, str]:
        """(street address, the street's name) for a clinic."""
        number = rng.choice([rng.randint(1, 199), rng.randint(100, 999), rng.randint(1000, 9999)])
        if french:
            street = f"{_weighted(rng, _STREET_KINDS_FR)} {rng.choice(_STREETS_FR)}"
            unit = f", bureau {rng.randint(1, 4)}{rng.randint(0, 2)}{rng.randint(1, 9)}" if rng.random() < 0.4 else ""
            return f"{number}, {street}{unit}", street
        base = rng.choice(_STREETS_EN)
        street = f"{base} {_weighted(rng, _STREET_KINDS_EN)}"
        if rng.random() < 0.15:
            street += f" {rng.choice(['North', 'South', 'East', 'West'])}"
        unit = f", Suite {rng.randint(1, 4)}{rng.randint(0, 2)}{rng.randint(1, 9)}" if rng.random() < 0.4 else ""
        return f"{number} {street}{unit}", street

    def clinic(
        self, rng: random.Random, *, disciplines: set[str], french: bool, city: str, street: str, province: str
    ) -> str:
        roll = rng.random()
        if french:
            stem = city if roll < 0.4 else street.split(" ", 1)[1] if roll < 0.55 else rng.choice(_STEMS_FR)
            return rng.choice(_PATTERNS_FR[frozenset(disciplines)]).format(s=stem)
        if roll < 0.35:
            stem = city
        elif roll < 0.5:
            stem = street
        else:
            stem = rng.choice(_STEMS_EN + _STEMS_BY_PROVINCE.get(province, []))
        return rng.choice(_PATTERNS_EN[frozenset(disciplines)]).format(s=stem)

    def description(self, rng: random.Random, *, disciplines: set[str], french: bool, city: str) -> str:
        order = [d for d in (PHYSIO, CHIRO, MASSAGE) if d in disciplines]
        extras = rng.sample(_EXTRAS_FR if french else _EXTRAS_EN, k=2)
        if french:
            what = _join([_WHAT_FR[d] for d in order], "et")
            return f"Clinique de {what} à {city}. {' '.join(extras)}"
        what = _join([_WHAT_EN[d] for d in order], "and")
        return f"{what[0].upper()}{what[1:]} in {city}. {' '.join(extras)}"

    def bio(self, rng: random.Random, *, first_name: str, discipline: str, technique: str | None, french: bool) -> str:
        years = rng.randint(2, 30)
        if french:
            special = f" Intérêt particulier : {technique}." if technique else ""
            return f"{first_name} exerce la {_WHAT_FR[discipline]} depuis {years} ans.{special}"
        special = f" Special interest: {technique}." if technique else ""
        return f"{first_name} has worked as a {_TITLE_EN[discipline]} for {years} years.{special}"
