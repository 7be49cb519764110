"""The patient's plan page behind the emailed link: the phases, a proposed time for every visit, the conditions, and
"Book all N visits" as one series (booking.series): every visit or none, with the taken ones named."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.test import Client
from django.urls import reverse

from booking.models import Appointment, AppointmentSource, AppointmentStatus
from painhero.testing import World
from patients.careplan_models import CarePlan, CarePlanStatus
from patients.careplan_testing import consultation_make, emailed_token, plan_make

SHAPE = ((2, 1), (1, 1))  # two visits in the first week, one in the second: three in all


def _plan_and_token(world: World) -> tuple[CarePlan, str]:
    plan = plan_make(world, consultation_make(world), shape=SHAPE)
    return plan, emailed_token(plan)


def _chosen(html: str) -> dict[str, str]:
    """The radio the page checked for each visit: the proposed time."""
    return dict(re.findall(r'name="(visit-\d+)" value="([^"]+)" checked', html))


def test_the_page_shows_the_phases_a_proposed_time_for_every_visit_and_the_conditions(
    world: World, client: Client
) -> None:
    _plan, token = _plan_and_token(world)
    response = client.get(reverse("patients:care_plan", args=[token]))
    assert response.status_code == 200
    chosen = _chosen(response.text)
    assert sorted(chosen) == ["visit-1", "visit-2", "visit-3"]
    days = {value.partition("@")[2][:10] for value in chosen.values()}
    assert len(days) == 3  # no two visits on one day
    assert "Book all 3 visits" in response.text
    assert "a visit you do not use is not charged" in response.text
    assert "cancel any one of them alone" in response.text
    assert response["Cache-Control"] == "private, no-store"
    assert not Appointment.objects.filter(patient_email="jo@example.com").exclude(service__price_cents=0).exists()


def test_a_wrong_token_is_a_404_and_a_draft_has_no_page(world: World, client: Client) -> None:
    assert client.get(reverse("patients:care_plan", args=["not-a-token"])).status_code == 404
    plan_make(world, consultation_make(world), shape=SHAPE, send=False)
    assert client.get(reverse("patients:care_plan", args=["x" * 43])).status_code == 404


def test_book_all_books_every_visit_as_one_series_and_links_the_plan(world: World, client: Client) -> None:
    plan, token = _plan_and_token(world)
    url = reverse("patients:care_plan", args=[token])
    page = client.get(url)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert form_token is not None
    response = client.post(url, {**_chosen(page.text), "form_token": form_token.group(1)})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.BOOKED
    assert plan.series is not None
    booked = list(plan.series.appointments.order_by("start"))
    assert len(booked) == 3
    assert all(a.status == AppointmentStatus.BOOKED and a.service_id == world.service.pk for a in booked)
    after = client.get(url)
    assert after.text.count("Move or cancel this visit") == 3
    # The plan is booked: booking it again books nothing more.
    again = client.post(url, {**_chosen(page.text), "form_token": "other"})
    assert again.status_code == 200 and again.text.count("Move or cancel this visit") == 3  # the booked page
    assert Appointment.objects.filter(series__isnull=False).count() == 3


def test_a_visit_taken_meanwhile_books_nothing_and_the_page_names_it(world: World, client: Client) -> None:
    plan, token = _plan_and_token(world)
    url = reverse("patients:care_plan", args=[token])
    page = client.get(url)
    chosen = _chosen(page.text)
    start = datetime.fromisoformat(chosen["visit-2"].partition("@")[2])
    Appointment.objects.create(  # someone else took visit 2's time after the page was shown
        clinic=world.clinic,
        practitioner=world.chen,
        service=world.service,
        start=start,
        end=start + timedelta(minutes=world.service.duration_minutes),
        patient_name="Someone Else",
        patient_email="else@example.com",
        patient_phone="+14165550199",
        source=AppointmentSource.WEB,
    )
    response = client.post(url, {**chosen, "form_token": "t1"})
    assert response.status_code == 409
    assert "Nothing was booked" in response.text
    assert response.text.count("This time was taken: choose another") == 1
    taken_row = response.text.split("This time was taken")[0].rsplit("<legend>", 1)[1]
    assert "Visit 2" in taken_row
    plan.refresh_from_db()
    assert plan.status == CarePlanStatus.SENT and plan.series is None
    assert not Appointment.objects.filter(patient_email="jo@example.com", series__isnull=False).exists()
    # The other visits keep their times; visit 2 offers alternatives and none is checked.
    again = _chosen(response.text)
    assert again.get("visit-1") == chosen["visit-1"] and again.get("visit-3") == chosen["visit-3"]
    assert "visit-2" not in again
    assert re.search(r'name="visit-2" value="[^"]+"', response.text)


def test_a_missing_choice_is_a_422_naming_the_visit(world: World, client: Client) -> None:
    _plan, token = _plan_and_token(world)
    url = reverse("patients:care_plan", args=[token])
    chosen = _chosen(client.get(url).text)
    del chosen["visit-3"]
    response = client.post(url, {**chosen, "form_token": "t2"})
    assert response.status_code == 422
    assert "Choose a time for visit 3." in response.text
    assert not Appointment.objects.filter(series__isnull=False).exists()


def test_cancel_the_rest_cancels_only_future_visits_in_one_step(world: World, client: Client) -> None:
    plan, token = _plan_and_token(world)
    url = reverse("patients:care_plan", args=[token])
    page = client.get(url)
    assert client.post(url, {**_chosen(page.text), "form_token": "t3"}).status_code == 302
    plan.refresh_from_db()
    assert plan.series is not None
    cancel_url = reverse("patients:care_plan_cancel_rest", args=[token])
    assert client.get(cancel_url).status_code == 200
    assert plan.series.appointments.filter(status=AppointmentStatus.BOOKED).count() == 3  # GET changed nothing
    assert client.post(cancel_url).status_code == 302
    assert plan.series.appointments.filter(status=AppointmentStatus.CANCELLED).count() == 3


def test_the_database_refuses_a_booked_plan_without_its_series(world: World) -> None:
    import pytest
    from django.db import IntegrityError, transaction

    plan = plan_make(world, consultation_make(world), shape=SHAPE)
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.filter(pk=plan.pk).update(status=CarePlanStatus.BOOKED, booked_at=plan.sent_at)


def test_cancel_the_rest_cancels_the_others_and_names_the_visit_inside_the_cancellation_window(
    world: World, client: Client, time_machine: object
) -> None:
    plan, token = _plan_and_token(world)
    url = reverse("patients:care_plan", args=[token])
    page = client.get(url)
    assert client.post(url, {**_chosen(page.text), "form_token": "t4"}).status_code == 302
    plan.refresh_from_db()
    assert plan.series is not None
    first, *later = plan.series.appointments.order_by("start")
    time_machine.move_to(first.start - timedelta(hours=12), tick=False)  # type: ignore[attr-defined]
    cancel_url = reverse("patients:care_plan_cancel_rest", args=[token])
    confirm = client.get(cancel_url)
    assert "too close to cancel online" in confirm.text  # said before the patient confirms
    response = client.post(cancel_url)
    assert response.status_code == 200
    assert "2 visits were cancelled." in response.text
    assert "could not be cancelled online and is still booked" in response.text
    assert "Please call the clinic" in response.text
    first.refresh_from_db()
    assert first.status == AppointmentStatus.BOOKED
    assert [a.status for a in Appointment.objects.filter(pk__in=[a.pk for a in later])] == [
        AppointmentStatus.CANCELLED
    ] * 2
