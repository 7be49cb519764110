"""The portal's Reviews page: the clinic's reviews (held ones with their reason) and its one public reply to each."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from booking.services import appointment_mark_completed
from painhero.testing import NOW, World, at, book
from portal.models import AuditEntry
from quality.models import Review, ReviewReply, ReviewStatus
from quality.services import review_create


def a_review(world: World, *, hour: int = 10, text: str = "Good visit.", other: bool = False) -> Review:
    appointment = book(world, at(hour, days=-1), practitioner=world.other_practitioner if other else None)
    appointment_mark_completed(appointment=appointment, now=NOW)
    return review_create(appointment=appointment, rating=4, text=text, now=NOW)


def reviews_url(world: World) -> str:
    return f"/portal/{world.clinic.pk}/reviews/"


def reply_url(world: World, review: Review) -> str:
    return f"/portal/{world.clinic.pk}/reviews/{review.pk}/reply/"


def test_the_page_lists_the_clinics_reviews_with_held_ones_and_their_reason(owner_client: Client, world: World) -> None:
    a_review(world, text="Lovely staff.")
    held = a_review(world, hour=11, text="Call me at 416 555 0199")
    a_review(world, text="Bravo's secret review", other=True)
    content = owner_client.get(reviews_url(world)).content.decode()
    assert "Lovely staff." in content and "Call me at 416 555 0199" in content
    assert held.status == ReviewStatus.HELD and "It contains contact details" in content
    assert "Bravo&#x27;s secret review" not in content and "Bravo's secret review" not in content


def test_the_clinic_replies_once_and_edits_its_reply_and_each_write_is_audited(
    owner_client: Client, world: World
) -> None:
    review = a_review(world)
    answer = owner_client.post(reply_url(world, review), {f"r{review.pk}-text": "Thank you!"})
    assert answer.status_code == 302 and answer["Location"].endswith(f"/reviews/#review-{review.pk}")
    owner_client.post(reply_url(world, review), {f"r{review.pk}-text": "Thank you, Sam!"})
    reply = ReviewReply.objects.get()
    assert (reply.review_id, reply.text, reply.written_by_id) == (review.pk, "Thank you, Sam!", world.owner.pk)
    actions = list(AuditEntry.objects.filter(clinic=world.clinic).order_by("pk").values_list("action", flat=True))
    assert actions == ["review.replied", "review.reply_edited"]
    review.refresh_from_db()
    assert (review.text, review.rating, review.status) == ("Good visit.", 4, ReviewStatus.PUBLISHED)


def test_the_database_holds_one_reply_per_review(world: World) -> None:
    review = a_review(world)
    ReviewReply.objects.create(review=review, text="One.", created_at=NOW, updated_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReply.objects.create(review=review, text="Two.", created_at=NOW, updated_at=NOW)


def test_an_empty_reply_is_a_clear_400_and_writes_nothing(owner_client: Client, world: World) -> None:
    review = a_review(world)
    answer = owner_client.post(reply_url(world, review), {f"r{review.pk}-text": "  "})
    assert answer.status_code == 400 and "This field is required." in answer.content.decode()
    assert not ReviewReply.objects.exists() and not AuditEntry.objects.exists()


def test_the_front_desk_may_reply_and_a_practitioner_may_not(
    colleague_client: Client, practitioner_client: Client, world: World
) -> None:
    review = a_review(world)
    assert practitioner_client.get(reviews_url(world)).status_code == 404
    assert practitioner_client.post(reply_url(world, review), {f"r{review.pk}-text": "Hi"}).status_code == 404
    assert colleague_client.post(reply_url(world, review), {f"r{review.pk}-text": "Hi"}).status_code == 302
    assert ReviewReply.objects.get().written_by_id == world.colleague.pk


def test_another_clinics_staff_reach_neither_the_page_nor_a_review(outsider_client: Client, world: World) -> None:
    review = a_review(world)
    assert outsider_client.get(reviews_url(world)).status_code == 404
    assert outsider_client.post(reply_url(world, review), {f"r{review.pk}-text": "Ha"}).status_code == 404
    # Their own clinic's address with this clinic's review id: the review is not theirs.
    theirs = f"/portal/{world.other_clinic.pk}/reviews/{review.pk}/reply/"
    assert outsider_client.post(theirs, {f"r{review.pk}-text": "Ha"}).status_code == 404
    assert not ReviewReply.objects.exists()


def test_the_reviews_page_is_never_changed_by_a_get(owner_client: Client, world: World) -> None:
    review = a_review(world)
    assert owner_client.get(reply_url(world, review)).status_code == 405
    assert not ReviewReply.objects.exists()


def test_the_service_itself_refuses_another_clinics_review(world: World) -> None:
    from portal.models import Membership
    from portal.services.actor import NotYours
    from portal.services.reviews import review_reply_write

    review = a_review(world)
    outsider = Membership.objects.get(user=world.outsider)
    with pytest.raises(NotYours):
        review_reply_write(actor=outsider, review=review, text="Ha", ip=None, now=NOW)
    assert not ReviewReply.objects.exists()
