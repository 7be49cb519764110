"""The free consultation (issue 12): its terms in the database, its video link, and Alberta's same-day rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from booking.errors import NotBookable
from booking.models import Appointment
from booking.services import appointment_book, appointment_reschedule
from booking.video import video_url
from clinics.models import Delivery, Discipline, Service, ServiceKind
from clinics.testing import make_city, make_clinic, make_practitioner, make_service
from painhero.testing import SLOT, World, patient
from scheduling.testing import make_hours


def free_consultation(clinic: Any, practitioners: list[Any], **fields: Any) -> Service:
    values: dict[str, Any] = {
        "name": "Free consultation",
        "kind": ServiceKind.FREE_CONSULTATION,
        "delivery": Delivery.PHONE,
        "duration_minutes": 15,
        "price_cents": 0,
    }
    values.update(fields)
    return make_service(clinic=clinic, practitioners=practitioners, **values)


@pytest.mark.parametrize(
    "fields",
    [{"price_cents": 100}, {"delivery": Delivery.IN_PERSON}, {"duration_minutes": 30}, {"duration_minutes": 10}],
)
def test_the_database_refuses_a_free_consultation_that_is_not_free_remote_and_short(
    world: World, fields: dict[str, Any]
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        free_consultation(world.clinic, [world.chen], **fields)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price_cents": 100}, "price_cents"),
        ({"delivery": Delivery.IN_PERSON}, "delivery"),
        ({"duration_minutes": 30}, "duration_minutes"),
    ],
)
def test_the_admin_form_names_what_to_fix(world: World, fields: dict[str, Any], field: str) -> None:
    values: dict[str, Any] = {
        "clinic": world.clinic,
        "name": "Free consultation",
        "discipline": Discipline.PHYSIOTHERAPY,
        "kind": ServiceKind.FREE_CONSULTATION,
        "delivery": Delivery.PHONE,
        "duration_minutes": 15,
        "price_cents": 0,
    }
    values.update(fields)
    with pytest.raises(ValidationError) as caught:
        Service(**values).full_clean()
    assert list(caught.value.message_dict) == [field]


def test_a_free_consultation_can_be_switched_off_and_is_then_not_bookable(world: World) -> None:
    service = free_consultation(world.clinic, [world.chen])
    Service.objects.filter(pk=service.pk).update(is_active=False)
    service.refresh_from_db()
    with pytest.raises(NotBookable):
        appointment_book(practitioner=world.chen, service=service, start=SLOT, patient=patient(), now=world_now())


def world_now() -> datetime:
    from painhero.testing import NOW

    return NOW


def test_each_video_consultation_gets_its_own_unguessable_meeting_link(world: World, settings: Any) -> None:
    settings.VIDEO_BASE_URL = "https://meet.example.test/"
    video = free_consultation(world.clinic, [world.chen, world.lee], delivery=Delivery.VIRTUAL)
    first = appointment_book(practitioner=world.chen, service=video, start=SLOT, patient=patient(1), now=world_now())
    second = appointment_book(practitioner=world.lee, service=video, start=SLOT, patient=patient(2), now=world_now())
    one, two = first.appointment, second.appointment
    assert one.video_token and two.video_token and one.video_token != two.video_token
    assert len(one.video_token) >= 32
    assert video_url(one) == f"https://meet.example.test/{one.video_token}"


def test_a_phone_consultation_and_a_treatment_have_no_meeting_link(world: World) -> None:
    phone = free_consultation(world.clinic, [world.chen])
    call = appointment_book(practitioner=world.chen, service=phone, start=SLOT, patient=patient(1), now=world_now())
    visit = appointment_book(
        practitioner=world.lee, service=world.service, start=SLOT, patient=patient(2), now=world_now()
    )
    assert call.appointment.video_token is None and visit.appointment.video_token is None
    assert video_url(call.appointment) == ""


def test_two_appointments_cannot_share_a_meeting_room(world: World) -> None:
    video = free_consultation(world.clinic, [world.chen, world.lee], delivery=Delivery.VIRTUAL)
    one = appointment_book(practitioner=world.chen, service=video, start=SLOT, patient=patient(1), now=world_now())
    two = appointment_book(practitioner=world.lee, service=video, start=SLOT, patient=patient(2), now=world_now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=two.appointment.pk).update(video_token=one.appointment.video_token)


# Alberta: Edmonton, Mountain time. SLOT is 10:00 in Toronto, 08:00 in Edmonton; the world's clock is before it.
EDMONTON = ZoneInfo("America/Edmonton")


@pytest.fixture
def alberta(world: World) -> dict[str, Any]:
    city = make_city(name="Edmonton", name_fr="Edmonton", province="AB", time_zone="America/Edmonton")
    clinic = make_clinic(name="Edmonton Physio", city=city)
    therapist = make_practitioner(clinic=clinic, first_name="Ada", last_name="Alberta")
    make_hours(therapist, blocks=(("08:00", "18:00"),))
    return {
        "clinic": clinic,
        "therapist": therapist,
        "free": free_consultation(clinic, [therapist]),
        "paid": make_service(clinic=clinic, practitioners=[therapist]),
    }


def at_edmonton(hour: int, *, days: int = 1) -> datetime:
    base = SLOT.astimezone(EDMONTON).date() + timedelta(days=days - 1)
    return datetime(base.year, base.month, base.day, hour, 0, tzinfo=EDMONTON)


def book_ab(alberta: dict[str, Any], kind: str, start: datetime, **details: Any) -> Appointment:
    return appointment_book(
        practitioner=alberta["therapist"],
        service=alberta[kind],
        start=start,
        patient=patient(1, **details),
        now=world_now(),
    ).appointment


def test_in_alberta_paid_physiotherapy_is_refused_on_the_day_of_the_free_consultation(alberta: dict[str, Any]) -> None:
    book_ab(alberta, "free", at_edmonton(9))
    with pytest.raises(NotBookable) as caught:
        book_ab(alberta, "paid", at_edmonton(15), email="PATIENT1@Example.com")
    assert "Alberta" in caught.value.message
    assert Appointment.objects.count() == 1


def test_in_alberta_a_free_consultation_is_refused_on_the_day_of_paid_physiotherapy(alberta: dict[str, Any]) -> None:
    book_ab(alberta, "paid", at_edmonton(9))
    with pytest.raises(NotBookable) as caught:
        book_ab(alberta, "free", at_edmonton(16))
    assert "Alberta" in caught.value.message


def test_in_alberta_another_day_or_another_patient_is_free_to_book(alberta: dict[str, Any]) -> None:
    book_ab(alberta, "free", at_edmonton(9))
    book_ab(alberta, "paid", at_edmonton(9, days=2))
    book_ab(alberta, "paid", at_edmonton(15), email="someone.else@example.com")
    assert Appointment.objects.count() == 3


def test_a_cancelled_free_consultation_no_longer_blocks_the_day(alberta: dict[str, Any]) -> None:
    first = book_ab(alberta, "free", at_edmonton(9))
    Appointment.objects.filter(pk=first.pk).update(status="cancelled")
    book_ab(alberta, "paid", at_edmonton(15))


def test_moving_paid_physiotherapy_onto_the_free_consultations_day_is_refused(alberta: dict[str, Any]) -> None:
    book_ab(alberta, "free", at_edmonton(9))
    paid = book_ab(alberta, "paid", at_edmonton(9, days=2))
    with pytest.raises(NotBookable):
        appointment_reschedule(appointment=paid, start=at_edmonton(15), now=world_now(), source="web")


def test_outside_alberta_both_on_one_day_are_fine(world: World) -> None:
    free = free_consultation(world.clinic, [world.chen])
    appointment_book(practitioner=world.chen, service=free, start=SLOT, patient=patient(1), now=world_now())
    later = SLOT + timedelta(hours=4)
    appointment_book(practitioner=world.chen, service=world.service, start=later, patient=patient(1), now=world_now())
    assert Appointment.objects.filter(patient_email="patient1@example.com").count() == 2


def test_the_meeting_link_is_on_the_patients_page_and_in_the_email_body_never_its_subject_or_logs(
    world: World, settings: Any, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from django.core import mail

    from notifications.services import outbox_sweep

    settings.VIDEO_BASE_URL = "https://meet.example.test/"
    video = free_consultation(world.clinic, [world.chen], delivery=Delivery.VIRTUAL)
    with caplog.at_level(logging.DEBUG):
        appointment = appointment_book(
            practitioner=world.chen, service=video, start=SLOT, patient=patient(), now=world_now()
        ).appointment
        outbox_sweep(now=world_now())
        page = client.get(f"/appointments/{appointment.manage_token}/").content.decode()
    link = f"https://meet.example.test/{appointment.video_token}"
    assert link in page
    [message] = mail.outbox
    token = str(appointment.video_token)
    assert message.to == ["patient1@example.com"]
    assert link in message.body and link in str(message.alternatives[0][0])  # type: ignore[attr-defined]
    assert token not in str(message.subject)
    assert token not in caplog.text


def test_the_clinic_page_states_the_conditions_only_where_a_free_consultation_is_offered(
    world: World, client: Any
) -> None:
    def page() -> str:
        return client.get(f"/clinics/{world.clinic.city.slug}/{world.clinic.slug}/").content.decode()

    assert "no obligation" not in page()
    free_consultation(world.clinic, [world.chen])
    from django.core.cache import cache

    cache.clear()
    html = page()
    assert "no obligation" in html and "It is not a treatment" in html and "the therapist calls you" in html
