"""The demo's inspections: every score the demo shows is derived from its 50 points (quality/demo.py)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import models

from clinics.models import Clinic, NetworkStatus
from demo.network import network_generate
from painhero.testing import NOW
from quality.demo import inspections_generate
from quality.models import ClinicStatusChange, Inspection
from quality.rubric import GATES, score_derive


@pytest.mark.django_db
def test_the_demo_network_is_inspected_and_every_score_is_derived_from_the_points() -> None:
    network_generate(clinics=150, seed=4, schedules=False)
    inspected = inspections_generate(seed=4, now=NOW)
    statuses = Counter(Clinic.objects.values_list("network_status", flat=True))
    assert inspected == Inspection.objects.count() == 150 - statuses[NetworkStatus.APPLICANT]
    assert statuses[NetworkStatus.PROBATION] >= 1 and statuses[NetworkStatus.SUSPENDED] >= 1
    for inspection in Inspection.objects.select_related("clinic").prefetch_related("points"):
        results = {row.point_id: row.passed for row in inspection.points.all()}
        derived = score_derive(results)
        assert len(results) == 50
        assert inspection.score == derived.value == inspection.clinic.inspection_score
        status = inspection.clinic.network_status
        assert derived.admissible == (status == NetworkStatus.IN_NETWORK), inspection.clinic
        if status == NetworkStatus.SUSPENDED:
            assert any(results[gate] is False for gate in GATES)
    assert ClinicStatusChange.objects.count() == inspected
    assert not Clinic.objects.filter(network_status=NetworkStatus.APPLICANT, inspection_score__isnull=False).exists()


@pytest.mark.django_db
def test_the_demo_writes_reviews_and_complaints_from_completed_past_visits_and_stores_the_ratings() -> None:
    from booking.models import AppointmentStatus
    from quality.demo_reviews import reviews_generate
    from quality.models import ClinicRating, Complaint, Review, ReviewStatus
    from quality.services import clinic_rating_refresh

    network_generate(clinics=150, seed=4, schedules=False)
    inspections_generate(seed=4, now=NOW)
    reviews, complaints = reviews_generate(seed=4, now=NOW)
    assert reviews == Review.objects.count() > 100 and complaints == Complaint.objects.count() >= 1
    assert not Review.objects.exclude(appointment__status=AppointmentStatus.COMPLETED).exists()
    assert not Review.objects.filter(appointment__start__gte=NOW).exists()
    assert not Review.objects.exclude(clinic_id=models.F("appointment__clinic_id")).exists()
    assert (
        Review.objects.filter(status=ReviewStatus.HELD).exclude(held_reason="").count()
        == Review.objects.filter(status=ReviewStatus.HELD).count()
    )
    assert Review.objects.filter(appointment__language="fr").exclude(text="").exists()
    listed = set(Clinic.objects.filter(network_status__in=["in_network", "probation"]).values_list("pk", flat=True))
    assert set(Review.objects.values_list("clinic_id", flat=True)) <= listed
    assert ClinicRating.objects.count() == len(set(Review.objects.values_list("clinic_id", flat=True)))
    for stored in ClinicRating.objects.all()[:20]:  # stored as the service computes it
        again = clinic_rating_refresh(clinic_id=stored.clinic_id, now=NOW)
        assert (again.count, again.mean, again.adjusted) == (stored.count, stored.mean, stored.adjusted)
    assert not Complaint.objects.filter(filed_at__gt=NOW).exists()
    # Replies: some published reviews are answered, never a held one, never before the review or after NOW.
    from quality.models import ReviewReply

    assert ReviewReply.objects.exists()
    assert not ReviewReply.objects.exclude(review__status=ReviewStatus.PUBLISHED).exists()
    assert not ReviewReply.objects.filter(created_at__lt=models.F("review__created_at")).exists()
    assert not ReviewReply.objects.filter(created_at__gt=NOW).exists()
