"""Reviews as patients and other systems read them (the API's pages, the clinic page), the invitation that every
completed visit gets, and the review form behind the manage link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from booking.models import Appointment
from booking.services import appointment_mark_completed
from notifications.models import OutboxMessage
from notifications.services import outbox_deliver
from painhero.testing import NOW, World, at, book
from quality.invitations import INVITE_KIND, review_invite
from quality.models import Review, ReviewReply, ReviewStatus
from quality.services import review_create, review_reply_save


def visit(world: World, *, days: int = -1, hour: int = 10, completed: bool = True, **fields: Any) -> Appointment:
    appointment = book(world, at(hour, days=days), **fields)
    if completed:
        appointment_mark_completed(appointment=appointment, now=NOW)
    return appointment


def reviewed(world: World, n: int, *, rating: int = 4, text: str = "") -> list[Review]:
    """``n`` published reviews, one a day going back, the newest first in the list."""
    found = []
    for i in range(n):
        appointment = visit(world, days=-1 - i)
        found.append(
            review_create(appointment=appointment, rating=rating, text=text, now=NOW - timedelta(days=i, hours=1))
        )
    return found


def clinic_page(world: World) -> str:
    return f"/clinics/{world.clinic.city.slug}/{world.clinic.slug}/"


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_pages_published_reviews_newest_first_with_subratings_and_the_reply(
    client: Client, world: World
) -> None:
    reviews = reviewed(world, 11)
    first = reviews[0]
    Review.objects.filter(pk=first.pk).update(listened=5, clean_and_accessible=3)
    review_reply_save(review=first, text="Thank you, see you soon.", by=world.owner, now=NOW)
    held = review_create(appointment=visit(world, hour=14), rating=1, text="Call 416 555 0199", now=NOW)
    assert held.status == ReviewStatus.HELD

    body = client.get(f"/api/v1/clinics/{world.clinic.pk}/reviews").json()
    assert (body["count"], body["page"], body["pages"]) == (11, 1, 2)
    assert body["rating"] == {"count": 11, "mean": 4.0, "adjusted": 4.1}
    assert [item["id"] for item in body["items"]] == [r.pk for r in reviews[:10]]
    top = body["items"][0]
    assert top["subratings"] == {"explained": None, "listened": 5, "on_time": None, "clean": 3, "recommend": None}
    assert top["reply"]["text"] == "Thank you, see you soon."
    assert body["items"][1]["reply"] is None
    assert body["next"] == f"/api/v1/clinics/{world.clinic.pk}/reviews?page=2"

    second = client.get(body["next"]).json()
    assert [item["id"] for item in second["items"]] == [reviews[10].pk]
    assert second["next"] is None
    assert held.pk not in {item["id"] for item in body["items"] + second["items"]}


def test_the_api_answers_404_for_a_clinic_outside_the_network_and_400_past_the_last_page(
    client: Client, world: World
) -> None:
    empty = client.get(f"/api/v1/clinics/{world.clinic.pk}/reviews")
    assert empty.status_code == 200 and empty.json()["items"] == [] and empty.json()["next"] is None
    past = client.get(f"/api/v1/clinics/{world.clinic.pk}/reviews?page=2")
    assert past.status_code == 400 and past.json()["field"] == "page"
    world.clinic.network_status = "suspended"
    world.clinic.save(update_fields=["network_status"])
    assert client.get(f"/api/v1/clinics/{world.clinic.pk}/reviews").status_code == 404


# --- the invitation --------------------------------------------------------------------------------------------


def test_marking_a_visit_completed_queues_one_invitation_hours_after_the_visit(world: World, settings: Any) -> None:
    settings.REVIEW_INVITE_DELAY_HOURS = 3
    appointment = book(world, at(7, days=0))  # 07:00-07:30 today (EST), marked at 08:00
    appointment_mark_completed(appointment=appointment, now=NOW)
    [message] = OutboxMessage.objects.filter(kind=INVITE_KIND)
    assert message.not_before == appointment.end + timedelta(hours=3)
    assert message.dedupe_key == f"{INVITE_KIND}:{appointment.pk}:20261207T120000Z:20261207T123000Z"
    assert appointment.manage_token not in str(message.payload)
    review_invite(appointment=appointment, now=NOW + timedelta(hours=1))  # queued again: still the one row
    assert OutboxMessage.objects.filter(kind=INVITE_KIND).count() == 1


def test_a_visit_not_completed_gets_no_invitation(world: World) -> None:
    visit(world, completed=False)
    assert not OutboxMessage.objects.filter(kind=INVITE_KIND).exists()


def test_the_invitation_links_the_review_form_in_the_patients_language_and_offers_nothing(world: World) -> None:
    appointment = book(world, at(7, days=0), language="fr")
    appointment_mark_completed(appointment=appointment, now=NOW)
    message = OutboxMessage.objects.get(kind=INVITE_KIND)
    assert outbox_deliver(message_id=message.pk, now=NOW) is False  # not before its time
    assert outbox_deliver(message_id=message.pk, now=appointment.end + timedelta(hours=3)) is True
    [email] = mail.outbox
    assert f"/fr/appointments/{appointment.manage_token}/review/" in str(email.body)
    assert appointment.manage_token not in email.subject
    assert email.to == ["sam@example.com"]


def test_a_visit_reviewed_before_the_invitation_leaves_gets_no_email(world: World) -> None:
    appointment = visit(world)
    review_create(appointment=appointment, rating=5, now=NOW)
    message = OutboxMessage.objects.get(kind=INVITE_KIND)
    outbox_deliver(message_id=message.pk, now=NOW + timedelta(days=1))
    assert mail.outbox == []


# --- the review form -------------------------------------------------------------------------------------------


def review_path(appointment: Appointment) -> str:
    return f"/appointments/{appointment.manage_token}/review/"


def test_the_form_writes_one_review_and_says_it_is_published(client: Client, world: World) -> None:
    appointment = visit(world)
    assert client.get(review_path(appointment)).status_code == 200
    assert not Review.objects.exists()  # a GET changes nothing
    answer = client.post(review_path(appointment), {"rating": "5", "listened": "4", "text": "Clear plan."})
    assert answer.status_code == 302
    review = Review.objects.get()
    assert (review.rating, review.listened, review.explained, review.text) == (5, 4, None, "Clear plan.")
    page = client.get(answer["Location"])
    assert b"data-review-published" in page.content and page["Cache-Control"] == "private, no-store"
    again = client.post(review_path(appointment), {"rating": "1"})
    assert again.status_code == 200 and Review.objects.get().rating == 5


def test_the_form_explains_a_missing_or_bad_rating(client: Client, world: World) -> None:
    appointment = visit(world)
    missing = client.post(review_path(appointment), {"text": "Fine."})
    assert missing.status_code == 400
    assert "Choose 1 to 5 for your visit overall." in missing.content.decode()
    bad = client.post(review_path(appointment), {"rating": "9", "on_time": "0"})
    # Each error twice: in the summary at the top, and beside its field.
    assert bad.status_code == 400 and bad.content.decode().count("Select a valid choice") == 4
    assert not Review.objects.exists()


def test_held_text_tells_the_patient_why(client: Client, world: World) -> None:
    appointment = visit(world)
    body = {"rating": "2", "text": "Write to me at jo@example.com"}
    answer = client.post(review_path(appointment), body, follow=True)
    content = answer.content.decode()
    assert Review.objects.get().status == ReviewStatus.HELD
    assert "data-review-held" in content and "It contains contact details" in content


def test_a_visit_not_completed_cannot_be_reviewed_from_the_form(client: Client, world: World) -> None:
    appointment = visit(world, completed=False)
    answer = client.post(review_path(appointment), {"rating": "5"})
    assert answer.status_code == 403
    assert "Only a visit the clinic marked completed can be reviewed." in answer.content.decode()
    assert not Review.objects.exists()
    assert client.get("/appointments/not-a-token/review/").status_code == 404


def test_the_manage_page_links_the_review_once_the_visit_is_completed(client: Client, world: World) -> None:
    booked = visit(world, completed=False)
    assert b"/review/" not in client.get(f"/appointments/{booked.manage_token}/").content
    done = visit(world, hour=12)
    assert review_path(done).encode() in client.get(f"/appointments/{done.manage_token}/").content


# --- the clinic page -------------------------------------------------------------------------------------------


def test_the_clinic_page_says_when_there_are_no_reviews_yet(client: Client, world: World) -> None:
    content = client.get(clinic_page(world)).content.decode()
    assert "data-reviews-empty" in content


def test_the_clinic_page_shows_the_adjusted_rating_the_count_the_raw_mean_and_replies(
    client: Client, world: World
) -> None:
    client.get(clinic_page(world))  # cached without reviews first: a review must still show
    reviews = reviewed(world, 11, rating=5, text="Kind and on time.")
    review_reply_save(review=reviews[0], text="Thanks for coming in!", by=world.owner, now=NOW)
    content = client.get(clinic_page(world)).content.decode()
    assert "Adjusted rating 4.62 out of 5" in content
    assert "11 verified reviews" in content and "raw mean 5.00" in content
    assert "Thanks for coming in!" in content
    assert content.count('class="review"') == 10
    more = f"{clinic_page(world)}reviews/?page=2"
    assert f'hx-get="{more}"' in content

    fragment = client.get(more, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.content.decode().count('class="review"') == 1
    assert b"<html" not in fragment.content and b"data-reviews-more" not in fragment.content
    assert client.get(more).status_code == 200  # without htmx: a page of its own
    assert client.get(f"{clinic_page(world)}reviews/?page=3").status_code == 400
    assert client.get(f"{clinic_page(world)}reviews/?page=x").status_code == 400


def test_a_reply_edited_later_shows_on_the_cached_page(client: Client, world: World) -> None:
    [review] = reviewed(world, 1)
    review_reply_save(review=review, text="First words.", by=world.owner, now=NOW)
    assert "First words." in client.get(clinic_page(world)).content.decode()
    review_reply_save(review=review, text="Better words.", by=world.owner, now=NOW)
    content = client.get(clinic_page(world)).content.decode()
    assert "Better words." in content and "First words." not in content
    assert ReviewReply.objects.count() == 1


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_reply_is_refused(world: World, text: str) -> None:
    from quality.errors import ReviewReplyInvalid

    [review] = reviewed(world, 1)
    with pytest.raises(ReviewReplyInvalid):
        review_reply_save(review=review, text=text, by=world.owner, now=NOW)
