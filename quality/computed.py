"""The computed points: each reads the platform's own data for one clinic and says what it used.

A point whose data does not exist yet (no reviews, complaints or outcome measures on PainHero) answers
``None``: unassessed, so the clinic is scored on what it has (quality/rubric.py) and the report says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from booking.models import Actor, Appointment, AppointmentEvent, AppointmentStatus, EventKind
from clinics.models import Clinic
from quality.models import ClinicRating, Complaint, Review, ReviewStatus
from quality.rubric import POINTS
from scheduling.models import AvailabilityState, NextOpenTime


@dataclass(frozen=True)
class Computed:
    passed: bool | None
    evidence: str  # what data was read, in a sentence for the report


def _no_data() -> Computed:
    return Computed(None, _("No data on PainHero yet: not counted in the score."))


def _credentials_listed(clinic: Clinic, now: datetime) -> Computed:
    people = clinic.practitioners.filter(is_active=True)
    total = people.count()
    listed = people.exclude(college="").exclude(registration_number="").count()
    return Computed(
        total > 0 and listed == total,
        _("%(listed)d of %(total)d active practitioners show a college and registration number.")
        % {"listed": listed, "total": total},
    )


def _prices_published(clinic: Clinic, now: datetime) -> Computed:
    services = clinic.services.filter(is_active=True)
    total = services.count()
    priced = services.filter(price_cents__gt=0).count()
    return Computed(
        total > 0 and priced == total,
        _("%(priced)d of %(total)d active services show a price.") % {"priced": priced, "total": total},
    )


def _clinic_cancellations(clinic: Clinic, now: datetime) -> Computed:
    since = now - timedelta(days=365)
    booked = Appointment.objects.filter(clinic=clinic, created_at__gte=since).count()
    if not booked:
        return _no_data()
    by_clinic = (
        AppointmentEvent.objects.filter(
            appointment__clinic=clinic, kind=EventKind.CANCELLED, actor=Actor.STAFF, at__gte=since
        )
        .values("appointment_id")
        .distinct()
        .count()
    )
    return Computed(
        by_clinic * 100 < booked * 3,
        _("%(cancelled)d of %(booked)d visits booked in the last 12 months were cancelled by the clinic.")
        % {"cancelled": by_clinic, "booked": booked},
    )


def _first_visit(clinic: Clinic, now: datetime) -> Computed:
    soonest = NextOpenTime.objects.filter(clinic=clinic, start__gte=now).aggregate(soonest=Min("start"))["soonest"]
    if soonest is None:
        return Computed(False, _("No open time in the clinic's next open times."))
    days = (soonest - now).days
    message = ngettext("The next open time is in %(days)d day.", "The next open time is in %(days)d days.", days)
    return Computed(days < 7, message % {"days": days})


def _open_times(clinic: Clinic, now: datetime) -> Computed:
    horizon = now + timedelta(days=14)
    people = set(clinic.practitioners.filter(is_active=True).values_list("pk", flat=True))
    open_ = set(
        NextOpenTime.objects.filter(clinic=clinic, practitioner_id__in=people, start__gte=now, start__lt=horizon)
        .values_list("practitioner_id", flat=True)
        .distinct()
    )
    total = len(people)
    return Computed(
        total > 0 and len(open_) == total,
        _("%(open)d of %(total)d active practitioners have open times in the next 14 days.")
        % {"open": len(open_), "total": total},
    )


def _visits_closed(clinic: Clinic, now: datetime) -> Computed:
    past = Appointment.objects.filter(clinic=clinic, end__lt=now - timedelta(days=2))
    if not past.exists():
        return _no_data()
    left_open = past.filter(status=AppointmentStatus.BOOKED).count()
    return Computed(
        left_open == 0,
        _("%(open)d past visits are still marked booked more than 2 days later.") % {"open": left_open},
    )


def _profile(clinic: Clinic, now: datetime) -> Computed:
    return Computed(
        clinic.updated_at >= now - timedelta(days=365),
        _("The profile last changed on %(date)s.") % {"date": clinic.updated_at.date().isoformat()},
    )


def _schedule(clinic: Clinic, now: datetime) -> Computed:
    state = AvailabilityState.objects.filter(clinic=clinic).first()
    if state is None:
        return Computed(False, _("The clinic's open times have never been computed."))
    return Computed(
        state.computed_at >= now - timedelta(days=30),
        _("Open times were last computed on %(date)s.") % {"date": state.computed_at.date().isoformat()},
    )


def _published(clinic: Clinic) -> QuerySet[Review]:
    return Review.objects.filter(clinic=clinic, status=ReviewStatus.PUBLISHED)


def _reviews_count(clinic: Clinic, now: datetime) -> Computed:
    if not _published(clinic).exists():
        return _no_data()
    recent = _published(clinic).filter(created_at__gte=now - timedelta(days=730)).count()
    message = ngettext(
        "%(n)d verified review in the last 24 months.", "%(n)d verified reviews in the last 24 months.", recent
    )
    return Computed(recent >= 10, message % {"n": recent})


def _reviews_adjusted(clinic: Clinic, now: datetime) -> Computed:
    rating = ClinicRating.objects.filter(clinic=clinic, adjusted__isnull=False).first()
    if rating is None or rating.adjusted is None:
        return _no_data()
    return Computed(
        rating.adjusted >= Decimal("4.0"),
        _("Adjusted rating %(adjusted)s from %(n)d verified reviews.")
        % {"adjusted": rating.adjusted, "n": rating.count},
    )


def _reviews_recent(clinic: Clinic, now: datetime) -> Computed:
    latest = _published(clinic).aggregate(latest=Max("created_at"))["latest"]
    if latest is None:
        return _no_data()
    return Computed(
        latest >= now - timedelta(days=183),
        _("The latest verified review is from %(date)s.") % {"date": latest.date().isoformat()},
    )


def _subrating(field: str) -> Callable[[Clinic, datetime], Computed]:
    def compute(clinic: Clinic, now: datetime) -> Computed:
        figures = _published(clinic).filter(**{f"{field}__isnull": False}).aggregate(mean=Avg(field), n=Count("pk"))
        if not figures["n"]:
            return _no_data()
        mean = round(float(figures["mean"]), 2)
        return Computed(
            mean >= 4.0,
            _("Mean %(mean)s from %(n)d verified reviews.") % {"mean": f"{mean:.2f}", "n": figures["n"]},
        )

    return compute


def _complaints(clinic: Clinic, now: datetime) -> QuerySet[Complaint]:
    return Complaint.objects.filter(clinic=clinic, filed_at__gte=now - timedelta(days=365))


def _complaints_substantiated(clinic: Clinic, now: datetime) -> Computed:
    recent = _complaints(clinic, now)
    filed = recent.count()
    upheld = recent.filter(substantiated=True).count()
    return Computed(
        upheld < 2,
        ngettext(
            "%(upheld)d substantiated of %(filed)d complaint filed in the last 12 months.",
            "%(upheld)d substantiated of %(filed)d complaints filed in the last 12 months.",
            filed,
        )
        % {"upheld": upheld, "filed": filed},
    )


def _complaints_deadline(done: str, due: str, message: Any) -> Callable[[Clinic, datetime], Computed]:
    def compute(clinic: Clinic, now: datetime) -> Computed:
        # Only complaints whose deadline has passed, or that were answered, can be judged.
        judged = _complaints(clinic, now).filter(Q(**{f"{done}__isnull": False}) | Q(**{f"{due}__lt": now}))
        total = judged.count()
        if not total:
            return _no_data()
        on_time = judged.filter(**{f"{done}__isnull": False, f"{done}__lte": F(due)}).count()
        return Computed(
            on_time == total,
            str(message) % {"on_time": on_time, "total": total},
        )

    return compute


# Points whose data lives in apps still to come (outcomes, review replies) are not listed: ``_no_data``.
COMPUTERS: dict[str, Callable[[Clinic, datetime], Computed]] = {
    "reviews-count": _reviews_count,
    "reviews-adjusted": _reviews_adjusted,
    "reviews-recent": _reviews_recent,
    "ratings-explained": _subrating("explained"),
    "ratings-listened": _subrating("listened"),
    "ratings-on-time": _subrating("on_time"),
    "ratings-clean": _subrating("clean_and_accessible"),
    "ratings-recommend": _subrating("recommend"),
    "complaints-substantiated": _complaints_substantiated,
    "complaints-acknowledged": _complaints_deadline(
        "acknowledged_at",
        "acknowledge_by",
        gettext_lazy(
            "%(on_time)d of %(total)d complaints of the last 12 months were acknowledged within 2 business days."
        ),
    ),
    "complaints-resolved": _complaints_deadline(
        "resolved_at",
        "resolve_by",
        gettext_lazy("%(on_time)d of %(total)d complaints of the last 12 months were resolved within 30 days."),
    ),
    "credentials-listed": _credentials_listed,
    "cost-prices-published": _prices_published,
    "experience-clinic-cancellations": _clinic_cancellations,
    "experience-first-visit": _first_visit,
    "freshness-open-times": _open_times,
    "freshness-visits-closed": _visits_closed,
    "freshness-profile": _profile,
    "freshness-schedule": _schedule,
}
assert set(COMPUTERS) <= {pid for pid, point in POINTS.items() if point.computed}  # noqa: S101


def computed_points(*, clinic: Clinic, now: datetime) -> dict[str, Computed]:
    """Every computed point of the rubric for ``clinic`` at ``now``."""
    return {
        point_id: COMPUTERS[point_id](clinic, now) if point_id in COMPUTERS else _no_data()
        for point_id, point in POINTS.items()
        if point.computed
    }
