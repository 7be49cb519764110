"""The services a demo clinic offers: typical Canadian durations and prices per discipline."""

from __future__ import annotations

import random
from dataclasses import dataclass

from clinics.models import Delivery, ServiceKind
from demo.reference import CHIRO, MASSAGE, PHYSIO


@dataclass(frozen=True)
class ServiceTemplate:
    name: str
    name_fr: str
    discipline: str
    kind: str
    durations: tuple[int, ...]
    price_range: tuple[int, int]  # dollars, before the regional adjustment
    delivery: str = Delivery.IN_PERSON
    chance: float = 1.0  # share of clinics with this discipline that offer it
    technique: str | None = None  # only practitioners trained in it offer it


TEMPLATES: list[ServiceTemplate] = [
    ServiceTemplate(
        "Physiotherapy initial assessment",
        "Évaluation initiale en physiothérapie",
        PHYSIO,
        ServiceKind.INITIAL,
        (45, 60),
        (110, 150),
    ),
    ServiceTemplate(
        "Physiotherapy follow-up", "Suivi en physiothérapie", PHYSIO, ServiceKind.FOLLOW_UP, (30,), (85, 110)
    ),
    ServiceTemplate(
        "Virtual physiotherapy follow-up",
        "Suivi de physiothérapie en ligne",
        PHYSIO,
        ServiceKind.FOLLOW_UP,
        (30,),
        (80, 100),
        delivery=Delivery.VIRTUAL,
        chance=0.3,
    ),
    ServiceTemplate(
        "Pelvic floor physiotherapy assessment",
        "Évaluation en rééducation périnéale et pelvienne",
        PHYSIO,
        ServiceKind.INITIAL,
        (60,),
        (130, 165),
        technique="pelvic-floor-physiotherapy",
    ),
    ServiceTemplate(
        "Vestibular rehabilitation assessment",
        "Évaluation en rééducation vestibulaire",
        PHYSIO,
        ServiceKind.INITIAL,
        (60,),
        (125, 160),
        technique="vestibular-rehabilitation",
    ),
    ServiceTemplate(
        "Chiropractic initial assessment",
        "Évaluation initiale en chiropratique",
        CHIRO,
        ServiceKind.INITIAL,
        (30, 45),
        (85, 125),
    ),
    ServiceTemplate(
        "Chiropractic adjustment", "Ajustement chiropratique", CHIRO, ServiceKind.FOLLOW_UP, (15, 20), (60, 90)
    ),
    ServiceTemplate(
        "Massage therapy, 30 minutes", "Massothérapie, 30 minutes", MASSAGE, ServiceKind.TREATMENT, (30,), (65, 80)
    ),
    ServiceTemplate(
        "Massage therapy, 60 minutes", "Massothérapie, 60 minutes", MASSAGE, ServiceKind.TREATMENT, (60,), (100, 125)
    ),
    ServiceTemplate(
        "Massage therapy, 90 minutes",
        "Massothérapie, 90 minutes",
        MASSAGE,
        ServiceKind.TREATMENT,
        (90,),
        (140, 170),
        chance=0.8,
    ),
    ServiceTemplate(
        "Prenatal massage, 60 minutes",
        "Massage prénatal, 60 minutes",
        MASSAGE,
        ServiceKind.TREATMENT,
        (60,),
        (105, 130),
        technique="prenatal-massage",
    ),
    # The free consultation (issue 12): most clinics offer one, by phone or by video, free and 15-20 minutes.
    ServiceTemplate(
        "Free consultation by phone",
        "Consultation gratuite par téléphone",
        PHYSIO,
        ServiceKind.FREE_CONSULTATION,
        (15,),
        (0, 0),
        delivery=Delivery.PHONE,
        chance=0.7,
    ),
    ServiceTemplate(
        "Free consultation by video",
        "Consultation gratuite par vidéo",
        CHIRO,
        ServiceKind.FREE_CONSULTATION,
        (20,),
        (0, 0),
        delivery=Delivery.VIRTUAL,
        chance=0.6,
    ),
]


def price_cents(rng: random.Random, template: ServiceTemplate, *, duration: int, city_population: int) -> int:
    low, high = template.price_range
    if len(template.durations) > 1:
        # The longer of two lengths costs towards the top of the range.
        share = template.durations.index(duration) / (len(template.durations) - 1)
        low, high = round(low + (high - low) * share * 0.5), round(high - (high - low) * (1 - share) * 0.5)
    dollars = rng.uniform(low, high) * (1.08 if city_population >= 500_000 else 1.0)
    return round(dollars / 5) * 5 * 100
