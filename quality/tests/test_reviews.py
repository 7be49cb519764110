"""Verified reviews: one per completed visit, held with a reason when they must be, the adjusted rating stored."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from booking.models import Appointment
from booking.services import appointment_mark_completed
from painhero.testing import NOW, World, at, book
from quality.computed import computed_points
from quality.errors import ReviewExists, ReviewInvalid, ReviewNotAllowed
from quality.models import ClinicRating, Review, ReviewStatus
from quality.moderation import hold_reason
from quality.ratings import C, M, adjusted_rating
from quality.services import review_create


def visit(world: World, *, days: int = -1, completed: bool = True, hour: int = 10) -> Appointment:
    appointment = book(world, at(hour, days=days))
    if completed:
        appointment_mark_completed(appointment=appointment, now=NOW)
    return appointment


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/reviews", json.dumps(body), content_type="application/json")


def test_the_adjusted_rating_pulls_a_few_reviews_toward_the_network_mean() -> None:
    assert (10, Decimal("4.20")) == (M, C)
    three_fives = adjusted_rating(mean=Decimal(5), count=3)
    two_hundred = adjusted_rating(mean=Decimal("4.7"), count=200)
    assert three_fives == Decimal("4.38") and two_hundred == Decimal("4.68")
    assert two_hundred > three_fives
    assert adjusted_rating(mean=None, count=0) is None


def test_a_completed_visit_gets_one_review_and_the_clinic_rating_is_stored(world: World) -> None:
    review = review_create(
        appointment=visit(world), rating=5, subratings={"listened": 4, "clean": 5}, text="Very clear plan.", now=NOW
    )
    assert review.status == ReviewStatus.PUBLISHED and review.clean_and_accessible == 5
    rating = ClinicRating.objects.get(clinic=world.clinic)
    assert (rating.count, rating.mean, rating.adjusted) == (1, Decimal("5.00"), Decimal("4.27"))
    review_create(appointment=visit(world, hour=11), rating=3, now=NOW)
    rating.refresh_from_db()
    assert (rating.count, rating.mean) == (2, Decimal("4.00"))


def test_a_visit_not_completed_cannot_be_reviewed(world: World) -> None:
    with pytest.raises(ReviewNotAllowed):
        review_create(appointment=visit(world, completed=False), rating=5, now=NOW)
    assert not Review.objects.exists()


def test_a_second_review_of_a_visit_is_refused(world: World) -> None:
    appointment = visit(world)
    review_create(appointment=appointment, rating=4, now=NOW)
    with pytest.raises(ReviewExists):
        review_create(appointment=appointment, rating=1, now=NOW)
    assert Review.objects.get().rating == 4


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Call me at 416 555 0199 for details", "contact details"),
        ("Write to jo@example.com", "contact details"),
        ("My husband was diagnosed with cancer and they helped him too", "someone else"),
        ("The receptionist is an idiot", "abusive"),
    ],
)
def test_text_with_contact_details_someone_elses_health_or_abuse_is_held_with_the_reason(
    world: World, text: str, reason: str
) -> None:
    review = review_create(appointment=visit(world), rating=2, text=text, now=NOW)
    assert review.status == ReviewStatus.HELD and reason in review.held_reason
    assert review.text == text  # held, never deleted
    assert ClinicRating.objects.get(clinic=world.clinic).count == 0  # not shown until a moderator releases it


def test_plain_text_is_published_at_once() -> None:
    assert hold_reason("Started on time, explained everything about my knee.") == ""


def test_a_rating_outside_1_to_5_or_an_unknown_subrating_is_refused(world: World) -> None:
    with pytest.raises(ReviewInvalid, match="rating"):
        review_create(appointment=visit(world), rating=6, now=NOW)
    with pytest.raises(ReviewInvalid, match="subratings"):
        review_create(appointment=visit(world, hour=11), rating=4, subratings={"parking": 2}, now=NOW)


def test_the_api_answers_201_403_409_and_404(client: Client, world: World) -> None:
    done = visit(world)
    created = _post(client, {"manage_token": done.manage_token, "rating": 5, "subratings": {"on_time": 4}})
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "published"
    again = _post(client, {"manage_token": done.manage_token, "rating": 1})
    assert again.status_code == 409 and "one review per visit" in again.json()["detail"]
    booked = visit(world, completed=False, hour=11)
    refused = _post(client, {"manage_token": booked.manage_token, "rating": 5})
    assert refused.status_code == 403 and "marked completed" in refused.json()["detail"]
    assert _post(client, {"manage_token": "nope", "rating": 5}).status_code == 404
    assert _post(client, {"manage_token": done.manage_token, "rating": 0}).status_code == 422
    assert Review.objects.count() == 1


def test_reviews_feed_the_computed_points_of_the_inspection(world: World) -> None:
    assert computed_points(clinic=world.clinic, now=NOW)["reviews-adjusted"].passed is None  # no data yet
    review_create(appointment=visit(world), rating=5, subratings={"recommend": 5}, now=NOW)
    points = computed_points(clinic=world.clinic, now=NOW)
    assert points["reviews-adjusted"].passed is True and "4.27" in points["reviews-adjusted"].evidence
    assert points["reviews-count"].passed is False  # 1 review of the 10 the point asks for
    assert points["ratings-recommend"].passed is True and points["ratings-listened"].passed is None


def test_a_moderator_publishes_a_held_review_and_it_then_counts(world: World, inspector: Any) -> None:
    from painhero.testing import client_for

    inspector.is_superuser = True
    inspector.save(update_fields=["is_superuser"])
    held = review_create(appointment=visit(world), rating=4, text="Email me at a@b.ca", now=NOW)
    staff = client_for(inspector)
    assert "contact details" in staff.get("/admin/quality/review/?status=held").content.decode()
    staff.post("/admin/quality/review/", {"action": "publish", "_selected_action": [held.pk]})
    held.refresh_from_db()
    assert held.status == ReviewStatus.PUBLISHED and held.held_reason == ""
    assert ClinicRating.objects.get(clinic=world.clinic).count == 1
