"""Complaints: filed about a past visit, deadlines in the clinic's business days, answered by the clinic, triaged by
network staff, counted in the inspection; the emails say nothing of what the patient wrote to anyone but them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from booking.models import Appointment
from notifications.models import OutboxMessage
from notifications.services import outbox_deliver
from painhero.testing import NOW, World, at, book, client_for
from portal.models import AuditEntry
from quality.complaints import (
    ComplaintClosed,
    ComplaintError,
    ComplaintExists,
    ComplaintTooEarly,
    ComplaintTooLate,
    business_day_end,
    clinics_due_early,
    complaint_answer,
    complaint_file,
    complaint_triage,
)
from quality.computed import computed_points
from quality.models import Complaint
from scheduling.testing import toronto

TORONTO = ZoneInfo("America/Toronto")
WORDS = "The therapist left me alone for 40 minutes with my shoulder on ice."


def past_visit(world: World, *, days: int = -1, hour: int = 10) -> Appointment:
    return book(world, at(hour, days=days))


def _file(world: World, **kwargs: Any) -> Complaint:
    appointment = kwargs.pop("appointment", None) or past_visit(world)
    return complaint_file(appointment=appointment, topic=kwargs.pop("topic", "care"), text=WORDS, now=NOW, **kwargs)


def test_acknowledgement_is_due_at_the_end_of_the_second_business_day_in_the_clinics_province() -> None:
    # Friday 12 February 2027, 15:00: Monday the 15th is Family Day in Ontario, not in Quebec.
    friday = toronto(2027, 2, 12, 15, 0)
    ontario = business_day_end(start=friday, days=2, province="ON", zone=TORONTO)
    quebec = business_day_end(start=friday, days=2, province="QC", zone=ZoneInfo("America/Toronto"))
    assert ontario == toronto(2027, 2, 18, 0, 0)  # Tuesday and Wednesday counted: due as Thursday begins
    assert quebec == toronto(2027, 2, 17, 0, 0)  # Monday and Tuesday
    # St. John's: the end of the local day, half an hour off the hour in UTC.
    st_johns = ZoneInfo("America/St_Johns")
    due = business_day_end(start=friday, days=2, province="NL", zone=st_johns)
    assert due.astimezone(st_johns).hour == 0 and due.utcoffset() == timedelta(hours=-3, minutes=-30)


def test_a_complaint_about_a_past_visit_is_filed_with_its_deadlines_and_the_clinic_is_told_without_the_words(
    world: World,
) -> None:
    world.clinic.email = "desk@alpha.test"
    world.clinic.save(update_fields=["email"])
    complaint = _file(world)
    # Filed Monday 7 December, 08:00 in Toronto: Tuesday and Wednesday are the two business days.
    assert complaint.acknowledge_by == toronto(2026, 12, 10, 0, 0)
    assert complaint.resolve_by == NOW + timedelta(days=30)
    kinds = sorted(OutboxMessage.objects.values_list("kind", flat=True))
    assert kinds == ["quality.complaint_filed", "quality.complaint_received"]
    mail.outbox.clear()
    for message in OutboxMessage.objects.order_by("pk"):
        assert outbox_deliver(message_id=message.pk, now=NOW)
    to_clinic, to_patient = mail.outbox
    assert to_clinic.to == ["desk@alpha.test"] and "shoulder" not in f"{to_clinic.body} {to_clinic.subject}"
    assert f"/portal/{world.clinic.pk}/complaints/{complaint.pk}/" in to_clinic.body
    assert to_patient.to == ["sam@example.com"] and "within 30 days" in to_patient.body
    assert "shoulder" not in to_patient.subject


def test_a_visit_still_to_come_cannot_be_complained_about_nor_one_over_a_year_old(world: World) -> None:
    with pytest.raises(ComplaintTooEarly):
        _file(world, appointment=book(world, at(10, days=1)))
    with pytest.raises(ComplaintTooLate):
        _file(world, appointment=past_visit(world, days=-400))
    assert not Complaint.objects.exists() and not OutboxMessage.objects.exists()


def test_one_complaint_per_visit_held_by_the_service_and_by_the_database(world: World) -> None:
    complaint = _file(world)
    with pytest.raises(ComplaintExists):
        _file(world, appointment=complaint.appointment)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.create(
            public_id="6f1d8f8e-0000-4000-8000-000000000001",
            appointment=complaint.appointment,
            clinic=world.clinic,
            topic="care",
            text="again",
            filed_at=NOW,
            acknowledge_by=NOW + timedelta(days=2),
            resolve_by=NOW + timedelta(days=30),
        )


def test_bad_input_is_refused_with_what_to_fix(world: World) -> None:
    with pytest.raises(ComplaintError, match="topic"):
        _file(world, topic="rude")
    with pytest.raises(ComplaintError, match="text"):
        complaint_file(appointment=past_visit(world, hour=11), topic="care", text="   ", now=NOW)
    assert not Complaint.objects.exists()


def test_the_database_refuses_a_resolution_without_an_answer_and_a_triage_without_a_reason(world: World) -> None:
    complaint = _file(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(acknowledged_at=NOW, resolved_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(substantiated=True, triaged_at=NOW)


def test_the_clinic_acknowledges_then_answers_and_the_patient_is_sent_the_answer_once(world: World) -> None:
    complaint = _file(world)
    later = NOW + timedelta(days=1)
    acknowledged = complaint_answer(complaint=complaint, now=later)
    assert acknowledged.acknowledged_at == later and acknowledged.resolved_at is None
    with pytest.raises(ComplaintError, match="answer"):
        complaint_answer(complaint=complaint, now=later, resolve=True)
    resolved = complaint_answer(
        complaint=complaint, now=later, response="We are sorry; we changed how we run ice.", resolve=True
    )
    assert resolved.acknowledged_at == later and resolved.resolved_at == later
    with pytest.raises(ComplaintClosed):
        complaint_answer(complaint=complaint, now=later, response="Something else", resolve=True)
    (answered,) = OutboxMessage.objects.filter(kind="quality.complaint_answered")
    mail.outbox.clear()
    assert outbox_deliver(message_id=answered.pk, now=later)
    (email,) = mail.outbox
    assert email.to == ["sam@example.com"] and "/complaint/" in email.body


def test_lateness_is_a_query_over_the_stored_deadlines(world: World) -> None:
    on_time = _file(world)
    complaint_answer(complaint=on_time, now=NOW + timedelta(days=1))
    waiting = _file(world, appointment=past_visit(world, hour=11))
    acknowledged_late = _file(world, appointment=past_visit(world, hour=12))
    assert set(Complaint.objects.late(now=NOW + timedelta(days=1))) == set()
    complaint_answer(complaint=acknowledged_late, now=NOW + timedelta(days=5))
    assert set(Complaint.objects.late(now=NOW + timedelta(days=6))) == {waiting, acknowledged_late}


def test_the_inspection_reads_substantiated_complaints_and_the_deadlines_kept(world: World, inspector: Any) -> None:
    points = computed_points(clinic=world.clinic, now=NOW)
    assert points["complaints-substantiated"].passed is True
    assert points["complaints-acknowledged"].passed is None  # nothing to judge: not counted
    first = _file(world)
    second = _file(world, appointment=past_visit(world, hour=11))
    complaint_answer(complaint=first, now=NOW + timedelta(hours=3))
    complaint_triage(complaint=first, substantiated=True, reason="Left unattended, confirmed.", by=inspector, now=NOW)
    points = computed_points(clinic=world.clinic, now=NOW + timedelta(days=1))
    assert points["complaints-substantiated"].passed is True  # one is fewer than two
    assert points["complaints-acknowledged"].passed is True  # the second is not due yet
    assert world.clinic not in clinics_due_early(now=NOW)
    complaint_triage(complaint=second, substantiated=True, reason="Billing error, confirmed.", by=inspector, now=NOW)
    points = computed_points(clinic=world.clinic, now=NOW + timedelta(days=4))
    assert points["complaints-substantiated"].passed is False
    assert points["complaints-acknowledged"].passed is False  # the second was never acknowledged
    assert "1 of 2" in points["complaints-acknowledged"].evidence
    assert list(clinics_due_early(now=NOW)) == [world.clinic]


def test_triage_needs_a_reason(world: World, inspector: Any) -> None:
    complaint = _file(world)
    with pytest.raises(ComplaintError, match="reason"):
        complaint_triage(complaint=complaint, substantiated=False, reason=" ", by=inspector, now=NOW)
    complaint.refresh_from_db()
    assert complaint.substantiated is None


def test_the_patient_files_from_the_manage_link_and_then_sees_where_it_stands(world: World, client: Client) -> None:
    appointment = past_visit(world)
    manage = client.get(f"/appointments/{appointment.manage_token}/")
    assert f"/appointments/{appointment.manage_token}/complaint/" in manage.content.decode()
    url = f"/appointments/{appointment.manage_token}/complaint/"
    page = client.get(url)
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    refused = client.post(url, {"topic": "care", "text": ""})
    assert refused.status_code == 400 and "Say what happened" in refused.content.decode()
    assert not Complaint.objects.exists()
    done = client.post(url, {"topic": "care", "text": WORDS}, follow=True)
    body = done.content.decode()
    assert done.status_code == 200 and "Your complaint is filed" in body and "40 minutes" in body
    assert "must acknowledge it by" in body
    again = client.post(url, {"topic": "care", "text": WORDS})
    assert again.status_code == 409 and Complaint.objects.count() == 1
    assert client.get("/appointments/not-a-token/complaint/").status_code == 404


def test_a_future_visit_has_no_complaint_link_and_its_page_says_why(world: World, client: Client) -> None:
    appointment = book(world, at(10, days=1))
    assert "/complaint/" not in client.get(f"/appointments/{appointment.manage_token}/").content.decode()
    page = client.get(f"/appointments/{appointment.manage_token}/complaint/")
    assert page.status_code == 200 and "once the visit" in page.content.decode()
    assert (
        client.post(
            f"/appointments/{appointment.manage_token}/complaint/", {"topic": "care", "text": WORDS}
        ).status_code
        == 403
    )


def test_the_owner_reads_and_answers_in_the_portal_with_an_audit_row_and_no_one_else_can(world: World) -> None:
    complaint = _file(world)
    owner = client_for(world.owner)
    listing = owner.get(f"/portal/{world.clinic.pk}/complaints/")
    assert listing.status_code == 200 and "Sam Patient" in listing.content.decode()
    url = f"/portal/{world.clinic.pk}/complaints/{complaint.pk}/"
    assert WORDS in owner.get(url).content.decode()
    for other in (world.colleague, world.practitioner, world.outsider):
        assert client_for(other).get(url).status_code == 404
    assert (
        client_for(world.outsider).get(f"/portal/{world.other_clinic.pk}/complaints/{complaint.pk}/").status_code == 404
    )
    bad = owner.post(url, {"action": "resolve", "response": ""})
    assert bad.status_code == 422 and Complaint.objects.get().resolved_at is None
    owner.post(url, {"action": "acknowledge"})
    done = owner.post(url, {"action": "resolve", "response": "We are sorry. We called you."}, follow=True)
    assert "We sent the patient your answer" in done.content.decode()
    complaint.refresh_from_db()
    assert complaint.resolved_at is not None and complaint.response == "We are sorry. We called you."
    actions = list(AuditEntry.objects.filter(object_type="complaint").values_list("action", flat=True))
    assert sorted(actions) == ["complaint.acknowledge", "complaint.resolve"]
    assert not any("sorry" in str(e.changes) + e.summary for e in AuditEntry.objects.all())


def test_network_staff_triage_in_the_admin_with_a_reason_and_see_late_ones(world: World, inspector: Any) -> None:
    complaint = _file(world)
    inspector.is_superuser = True
    inspector.save(update_fields=["is_superuser"])
    staff = client_for(inspector)
    late = staff.get("/admin/quality/complaint/?deadlines=late")
    assert late.status_code == 200 and "0 complaints" in late.content.decode()
    url = f"/admin/quality/complaint/{complaint.pk}/change/"
    refused = staff.post(url, {"substantiated": "yes", "triage_reason": ""})
    assert refused.status_code == 200 and Complaint.objects.get().substantiated is None
    staff.post(url, {"substantiated": "yes", "triage_reason": "Confirmed by the clinic's own notes."})
    complaint.refresh_from_db()
    assert complaint.substantiated is True and complaint.triaged_by == inspector and complaint.triaged_at is not None
