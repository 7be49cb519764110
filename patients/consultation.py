"""The free consultation, seen from the patient's intake: the soonest ones to book, and the clinic's reading of the
answers on the appointment the intake went with (every read in the audit trail, DESIGN.md invariant 5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from booking.models import Appointment
from clinics.geo import clinics_within, distance_from_haversine
from clinics.models import Clinic, Service, ServiceKind
from patients.models import Intake, IntakeAccess, Reader
from patients.rules import QUESTIONS
from scheduling.selectors import OpenTime, open_times_list
from scheduling.week import booking_url

# How far ahead the soonest free consultations are looked for, and how many clinics and times are shown.
LOOK_AHEAD = timedelta(days=7)
MAX_CLINICS = 8
CANDIDATE_CLINICS = 40
TIMES_PER_CLINIC = 3
# Near the patient: the circle widens until it holds enough candidates (a rural patient still gets offers).
NEAR_RADII_KM = (25, 50, 100, 250)


@dataclass(frozen=True)
class ConsultationOffer:
    clinic: Clinic
    service: Service
    times: list[tuple[OpenTime, str]]  # each open time and its booking link
    distance_km: float | None = None  # from the patient, when they said where they are


def free_consultations_soonest(
    *,
    disciplines: list[str],
    province: str,
    now: datetime,
    near: tuple[float, float] | None = None,
    limit: int = MAX_CLINICS,
) -> list[ConsultationOffer]:
    """Clinics in the network with an active free consultation (of a suggested discipline), soonest first.

    With ``near`` (the patient's latitude and longitude) the candidates are the nearest clinics, in a circle that
    widens from 25 to 250 km until it holds enough of them, and the province is not asked (a patient near a border
    may be nearest a clinic across it); otherwise the patient's province when known. A bounded number of
    candidates, so the cost does not grow with the network."""
    services = Service.objects.filter(kind=ServiceKind.FREE_CONSULTATION, is_active=True)
    if disciplines:
        services = services.filter(discipline__in=disciplines)
    distances: dict[int, float] = {}
    if near is not None:
        offering = Clinic.objects.in_network().filter(pk__in=services.values("clinic_id"))
        by_distance = ("hav", "pk")  # ``hav``: the annotation clinics_within adds
        for radius in NEAR_RADII_KM:
            nearest = [
                (pk, hav)
                for hav, pk in clinics_within(offering, center=near, radius_km=radius)
                .order_by(*by_distance)
                .values_list(*by_distance)[:CANDIDATE_CLINICS]
            ]
            if len(nearest) >= limit:
                break
        distances = {pk: distance_from_haversine(hav) for pk, hav in nearest}
        services = services.filter(clinic_id__in=distances)
    else:
        services = services.filter(clinic__in=Clinic.objects.in_network())
        if province:
            services = services.filter(clinic__province=province)
    services = services.select_related("clinic", "clinic__city").order_by("clinic__name", "pk")
    if distances:  # the services of at most CANDIDATE_CLINICS clinics, nearest first
        candidates = sorted(services, key=lambda service: (distances[service.clinic_id], service.pk))
    else:
        candidates = list(services[:CANDIDATE_CLINICS])
    offers: list[ConsultationOffer] = []
    seen: set[int] = set()
    for service in candidates:
        if service.clinic_id in seen:
            continue
        seen.add(service.clinic_id)
        slots = open_times_list(clinic=service.clinic, start=now, end=now + LOOK_AHEAD, now=now, service=service)
        firsts: list[OpenTime] = []
        for slot in slots:
            if not firsts or slot.start != firsts[-1].start:
                firsts.append(slot)
            if len(firsts) == TIMES_PER_CLINIC:
                break
        if firsts:
            zone = ZoneInfo(service.clinic.time_zone)
            times = [(slot._replace(start=slot.start.astimezone(zone)), booking_url(slot)) for slot in firsts]
            offers.append(
                ConsultationOffer(
                    clinic=service.clinic, service=service, times=times, distance_km=distances.get(service.clinic_id)
                )
            )
    offers.sort(key=lambda offer: (offer.times[0][0].start, offer.distance_km or 0.0))
    return offers[:limit]


def appointment_intakes_open(
    *, appointment: Appointment, user_id: int, role: str, where: str, now: datetime, reader: str = Reader.STAFF
) -> list[Intake]:
    """The intakes that went with this appointment, each read recorded (who, role, when, from which page).

    The caller has already decided that this reader may see them (portal.selectors' rule); this records it."""
    intakes = list(Intake.objects.filter(appointment=appointment).order_by("created_at"))
    if intakes:
        with transaction.atomic():
            IntakeAccess.objects.bulk_create(
                [
                    IntakeAccess(intake=intake, at=now, reader=reader, user_id=user_id, role=role, where=where)
                    for intake in intakes
                ]
            )
    return intakes


@dataclass(frozen=True)
class AnswerLine:
    question: str
    answer: str
    warning: bool = False  # a warning sign answered "yes"


def intake_answer_lines(intake: Intake) -> list[AnswerLine]:
    """The answers as the clinician reads them: each question in the reader's language and its answer."""
    from django.utils.translation import gettext as _

    lines: list[AnswerLine] = []
    for question in QUESTIONS:
        if question.id not in intake.answers:
            continue
        value = intake.answers[question.id]
        if question.type == "yes_no":
            text = str(_("Yes")) if value is True else str(_("No"))
        elif question.id == "activities":
            text = "; ".join(f"{item.get('name', '')}: {item.get('score', '')}/10" for item in value or [])
        elif question.choices:
            chosen = value if isinstance(value, list) else [value]
            text = ", ".join(str(question.choices.get(v, v)) for v in chosen)
        else:
            text = str(value)
        lines.append(AnswerLine(str(question.text), text, warning=question.red_flag and value is True))
    return lines
