"""Verified reviews and complaints for the demo network, each from a past visit the clinic marked completed.

Called by ``manage.py demo`` after the inspections. About one admitted clinic in three gets between 3 and 40 past
completed visits, most of them reviewed (in English, or in French at Quebec clinics and for some patients
elsewhere), a few held for moderation with their reason; each clinic's stored rating is then computed as the
service computes it (``clinic_rating_refresh``). About one clinic in 25 gets a complaint or two: some answered on
time, some late, some substantiated by the network team. Every text here is the demo's own.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from booking.models import Appointment, AppointmentSource, AppointmentStatus
from clinics.models import Clinic, NetworkStatus
from quality.complaints import complaint_deadlines
from quality.models import Complaint, ComplaintTopic, Review, ReviewReply, ReviewStatus
from quality.services import clinic_rating_refresh

REVIEWED_SHARE = 0.35
COMPLAINT_SHARE = 0.04

_TEXT = {
    "en": {
        5: [
            "Clear explanation of what was going on with my back, and a plan I could follow at home.",
            "Started right on time. The exercises made a difference within two weeks.",
            "Listened properly and never rushed me. Booking online was easy.",
            "Friendly front desk, spotless rooms, and my knee feels much stronger.",
        ],
        4: [
            "Good treatment and useful advice. Parking was a bit hard to find.",
            "Helpful visit overall; I waited ten minutes past my time.",
            "Knowledgeable therapist. I would have liked a printed copy of the exercises.",
        ],
        3: [
            "The treatment was fine but the visit felt short.",
            "Decent care, though the plan was not explained very clearly.",
        ],
        2: ["I waited almost half an hour and the session felt rushed."],
        1: ["My appointment was moved twice without much notice."],
    },
    "fr": {
        5: [
            "Explications claires sur mon dos et un plan facile à suivre à la maison.",
            "Rendez-vous à l'heure. Les exercices m'ont aidé en deux semaines.",
            "Très à l'écoute, jamais pressée. La réservation en ligne était simple.",
        ],
        4: [
            "Bon traitement et bons conseils. Le stationnement est difficile à trouver.",
            "Visite utile; j'ai attendu une dizaine de minutes.",
        ],
        3: ["Le traitement était correct, mais la séance m'a paru courte."],
        2: ["J'ai attendu près d'une demi-heure et la séance était pressée."],
        1: ["Mon rendez-vous a été déplacé deux fois sans véritable préavis."],
    },
}
_HELD = ("Call me at 416-555-0199 if you want details.", "contact details")
_COMPLAINTS = [
    ("booking", "My appointment was cancelled by the clinic an hour before, and nobody offered another time."),
    ("billing", "I was charged for a longer session than the one I booked."),
    ("conduct", "The receptionist was dismissive when I asked about my bill."),
    ("care", "The therapist did not explain what the needling was for before starting."),
]
_ANSWER = "Thank you for telling us. We looked into it, apologized to the patient and changed how we do this."


def _rating(rng: random.Random) -> int:
    return rng.choices((5, 4, 3, 2, 1), weights=(52, 28, 10, 6, 4))[0]


def reviews_generate(*, seed: int, now: datetime) -> tuple[int, int]:
    """Write the demo's past visits, reviews and complaints (see the module's docstring): (reviews, complaints)."""
    rng = random.Random(seed * 104729 + 15)  # noqa: S311  (demo data, not security)
    clinics = list(
        Clinic.objects.filter(network_status__in=[NetworkStatus.IN_NETWORK, NetworkStatus.PROBATION])
        .order_by("pk")
        .prefetch_related("practitioners", "services")
    )
    reviews = complaints = 0
    for clinic in clinics:
        reviewed, complained = rng.random() < REVIEWED_SHARE, rng.random() < COMPLAINT_SHARE
        if not (reviewed or complained):
            continue
        practitioners = [p for p in clinic.practitioners.all() if p.is_active]
        services = [s for s in clinic.services.all() if s.is_active]
        if not practitioners or not services:
            continue
        with transaction.atomic():
            visits = _visits(rng, clinic, practitioners, services, now=now, count=rng.randint(3, 40) if reviewed else 2)
            if reviewed:
                reviews += _reviews(rng, clinic, visits, now=now)
            if complained:
                complaints += _complaints(rng, clinic, visits[-2:], now=now)
    return reviews, complaints


def _visits(
    rng: random.Random, clinic: Clinic, practitioners: list[Any], services: list[Any], *, now: datetime, count: int
) -> list[Appointment]:
    rows = []
    for n in range(count):
        # One visit a day going back in time, at a whole hour: never two at once for one practitioner.
        start = (now - timedelta(days=3 + n * 4, hours=rng.randint(0, 6))).replace(minute=0, second=0, microsecond=0)
        service = rng.choice(services)
        french = clinic.province == "QC" or rng.random() < 0.1
        rows.append(
            Appointment(
                clinic=clinic,
                practitioner=rng.choice(practitioners),
                service=service,
                start=start,
                end=start + timedelta(minutes=service.duration_minutes),
                status=AppointmentStatus.COMPLETED,
                source=AppointmentSource.WEB,
                patient_name=f"Demo patient {n + 1}",
                patient_email=f"demo.patient{clinic.pk}.{n + 1}@example.com",
                first_visit=n % 3 == 0,
                language="fr" if french else "en",
            )
        )
    return Appointment.objects.bulk_create(rows)


def _reviews(rng: random.Random, clinic: Clinic, visits: list[Appointment], *, now: datetime) -> int:
    rows = []
    for visit in visits:
        if rng.random() < 0.2:
            continue  # not every invited patient writes a review
        rating = _rating(rng)
        texts = _TEXT[visit.language]
        text = rng.choice(texts[rating]) if rng.random() < 0.8 else ""
        held = rng.random() < 0.03
        if held:
            text = f"{text} {_HELD[0]}".strip()
        subs = {
            name: max(1, min(5, rating + rng.choice((-1, 0, 0, 0, 1))))
            for name in ("explained", "listened", "on_time", "clean_and_accessible", "recommend")
            if rng.random() < 0.8
        }
        rows.append(
            Review(
                appointment=visit,
                clinic=clinic,
                rating=rating,
                text=text,
                status=ReviewStatus.HELD if held else ReviewStatus.PUBLISHED,
                held_reason="It contains contact details (an email, a phone number or a link)." if held else "",
                created_at=visit.end + timedelta(hours=rng.randint(4, 72)),
                **subs,
            )
        )
    Review.objects.bulk_create(rows)
    # The clinic answers some of them, publicly, a day or two later (once each: the database's one reply).
    replies = [
        ReviewReply(
            review=review,
            text=rng.choice(_REPLIES[review.appointment.language]),
            created_at=(
                written := max(review.created_at, min(review.created_at + timedelta(hours=rng.randint(12, 60)), now))
            ),
            updated_at=written,
        )
        for review in rows
        if review.status == ReviewStatus.PUBLISHED and rng.random() < 0.3
    ]
    ReviewReply.objects.bulk_create(replies)
    clinic_rating_refresh(clinic_id=clinic.pk, now=now)
    return len(rows)


_REPLIES = {
    "en": [
        "Thank you for taking the time to write. We are glad the plan is helping.",
        "Thanks for your feedback. We have passed your note on to the whole team.",
        "Thank you. We are working on starting appointments on time, and your comment helps.",
    ],
    "fr": [
        "Merci d’avoir pris le temps d’écrire. Nous sommes heureux que le plan vous aide.",
        "Merci pour vos commentaires. Nous les avons transmis à toute l’équipe.",
        "Merci. Nous travaillons à commencer les rendez-vous à l’heure, et votre remarque nous aide.",
    ],
}


def _complaints(rng: random.Random, clinic: Clinic, visits: list[Appointment], *, now: datetime) -> int:
    rows = []
    for visit in visits[: rng.randint(1, 2)]:
        topic, text = rng.choice(_COMPLAINTS)
        filed = visit.end + timedelta(days=1)
        acknowledge_by, resolve_by = complaint_deadlines(clinic=clinic, now=filed)
        answered = rng.random() < 0.7
        late = rng.random() < 0.25
        acknowledged = (acknowledge_by + timedelta(days=2)) if late else (filed + timedelta(hours=20))
        resolved = min(acknowledged + timedelta(days=rng.randint(2, 20)), now) if answered else None
        if resolved is not None and resolved < acknowledged:
            resolved = None
        substantiated = rng.random() < 0.4 if answered else None
        rows.append(
            Complaint(
                public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                appointment=visit,
                clinic=clinic,
                topic=topic if topic in ComplaintTopic.values else ComplaintTopic.OTHER,
                text=text,
                filed_at=filed,
                acknowledge_by=acknowledge_by,
                resolve_by=resolve_by,
                acknowledged_at=acknowledged if acknowledged <= now else None,
                response=_ANSWER if resolved else "",
                resolved_at=resolved if resolved and acknowledged <= now else None,
                substantiated=substantiated,
                triage_reason=(
                    "Confirmed with the clinic's records." if substantiated else "Not borne out by the records."
                )
                if substantiated is not None
                else "",
                triaged_at=min(filed + timedelta(days=3), now) if substantiated is not None else None,
            )
        )
    Complaint.objects.bulk_create(rows)
    return len(rows)
