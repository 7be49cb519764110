"""The 50-point inspection: its points, categories and weights, and the one formula from results to a score.

Pure: no database. ``score_derive`` is the only way a score is made (DESIGN.md invariant 11); the inspection
services store what it answers. A change to any point, weight or the pass mark is a new ``RUBRIC_VERSION``:
inspections keep the version they were made under.

The score, 0 to 100: within a category every point counts the same, and a category gives its weight times the
share of its *assessed* points that passed. A point is unassessed when a computed point has no data yet (no
reviews, no outcomes recorded): the clinic is scored on what it has, so a category with nothing assessed gives
its weight back and the rest are scaled to 100::

    score = round(100 * sum(w_c * passed_c / assessed_c) / sum(w_c over categories with assessed_c > 0))

A clinic is admissible when every gate passed (an unassessed gate has not passed) and score >= ``PASS_MARK``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RUBRIC_VERSION = "2026.1"
PASS_MARK = 70
POINT_COUNT = 50


@dataclass(frozen=True)
class Point:
    id: str
    label: Promise  # a statement a patient understands and an inspector can answer yes or no
    how: Promise  # inspector-checked: the evidence to record; computed: the platform data it reads
    gate: bool = False  # must pass for admission, whatever the score
    computed: bool = False  # derived from the platform's own data, never entered by an inspector


@dataclass(frozen=True)
class Category:
    key: str
    name: Promise
    weight: int  # percent of the score
    points: tuple[Point, ...]


def _i(id: str, label: Promise, how: Promise, *, gate: bool = False) -> Point:
    return Point(id=id, label=label, how=how, gate=gate, computed=False)


def _c(id: str, label: Promise, how: Promise) -> Point:
    return Point(id=id, label=label, how=how, computed=True)


RUBRIC: tuple[Category, ...] = (
    Category(
        "credentials",
        _("Credentials and trust"),
        15,
        (
            _i(
                "credentials-register",
                _("Every practitioner is registered and in good standing with their provincial college."),
                _("Look each active practitioner up on the college's public register; record the number and date."),
                gate=True,
            ),
            _i(
                "credentials-insurance",
                _("Every practitioner has professional liability insurance, and proof is on file."),
                _("A current certificate of insurance for each practitioner, valid on the inspection date."),
                gate=True,
            ),
            _i(
                "credentials-restriction",
                _("No practitioner has an active restriction, condition or suspension on their practice."),
                _("The college register shows no current terms, conditions or limitations for anyone."),
                gate=True,
            ),
            _c(
                "credentials-listed",
                _("Each practitioner's college and registration number are shown on PainHero."),
                _("The college and registration number of the clinic's active practitioners."),
            ),
            _i(
                "credentials-director",
                _("A named person is responsible for the clinic and answers PainHero."),
                _("Name, phone and email of the owner or clinic director, confirmed by a call."),
            ),
        ),
    ),
    Category(
        "complaints",
        _("Discipline and complaints history"),
        12,
        (
            _i(
                "complaints-findings",
                _("No college finding of misconduct against a current practitioner in the last five years."),
                _("The colleges' published discipline decisions, searched by each practitioner's name."),
            ),
            _c(
                "complaints-substantiated",
                _("Fewer than two complaints upheld by PainHero in the last 12 months."),
                _("Complaints about the clinic that PainHero found substantiated, last 12 months."),
            ),
            _c(
                "complaints-acknowledged",
                _("Complaints are acknowledged within 2 business days."),
                _("When each complaint of the last 12 months was acknowledged by the clinic."),
            ),
            _c(
                "complaints-resolved",
                _("Complaints are resolved within 30 days."),
                _("When each complaint of the last 12 months was resolved."),
            ),
            _i(
                "complaints-process",
                _("The clinic has a written complaints process and tells patients about it."),
                _("A copy of the process and where patients see it (front desk, website, intake form)."),
            ),
        ),
    ),
    Category(
        "reviews",
        _("Verified reviews"),
        12,
        (
            _c(
                "reviews-count",
                _("At least 10 verified reviews from completed visits in the last 24 months."),
                _("Reviews left through PainHero for visits the clinic marked completed."),
            ),
            _c(
                "reviews-adjusted",
                _("An adjusted rating of 4.0 out of 5 or more."),
                _("The adjusted rating of the clinic's verified reviews (formula on this page)."),
            ),
            _c(
                "reviews-recent",
                _("At least one verified review in the last 6 months."),
                _("The date of the clinic's latest verified review."),
            ),
            _c(
                "reviews-replies",
                _("The clinic answers at least half of its critical reviews (3 stars or fewer)."),
                _("Verified reviews of 3 stars or fewer and the clinic's public replies."),
            ),
            _i(
                "reviews-no-incentives",
                _("The clinic offers no reward for reviews and never asks only happy patients."),
                _("The clinic's signage, emails and website, and its written statement."),
            ),
        ),
    ),
    Category(
        "ratings",
        _("Rating sub-scores"),
        8,
        (
            _c(
                "ratings-explained",
                _("Patients say the problem and the plan were explained (4.0 or more)."),
                _("The mean of the sub-rating “explained the problem and the plan”."),
            ),
            _c(
                "ratings-listened",
                _("Patients say they were listened to (4.0 or more)."),
                _("The mean of the sub-rating “listened”."),
            ),
            _c(
                "ratings-on-time",
                _("Patients say visits started on time (4.0 or more)."),
                _("The mean of the sub-rating “started on time”."),
            ),
            _c(
                "ratings-clean",
                _("Patients say the clinic is clean and accessible (4.0 or more)."),
                _("The mean of the sub-rating “clean and accessible”."),
            ),
            _c(
                "ratings-recommend",
                _("Patients would recommend the clinic (4.0 or more)."),
                _("The mean of the sub-rating “would recommend”."),
            ),
        ),
    ),
    Category(
        "reputation",
        _("External reputation"),
        6,
        (
            _i(
                "reputation-public-rating",
                _("Public ratings elsewhere average 4.0 or more over at least 20 reviews."),
                _("The clinic's ratings on public review sites, with links and the date read."),
            ),
            _i(
                "reputation-no-pattern",
                _("No pattern of serious complaints (safety, billing, conduct) in public reviews."),
                _("Public reviews of the last two years, read for repeated serious complaints."),
            ),
            _i(
                "reputation-years",
                _("The clinic has been open at least two years, or its director has."),
                _("The business registration date, or the director's previous clinic."),
            ),
            _i(
                "reputation-business",
                _("The business is registered and in good standing in its province."),
                _("The provincial business registry entry, with the date read."),
            ),
            _i(
                "reputation-no-actions",
                _("No unresolved consumer-protection action or news report about the clinic."),
                _("A search of consumer-protection decisions and the news, with what was found."),
            ),
        ),
    ),
    Category(
        "outcomes",
        _("Patient outcomes"),
        10,
        (
            _c(
                "outcomes-captured",
                _("Pain or function is recorded at most visits."),
                _("Outcome measures recorded for the clinic's completed visits in the last 12 months."),
            ),
            _c(
                "outcomes-improved",
                _("Most patients who finish a plan of care report less pain or better function."),
                _("The first and last outcome measure of each finished care plan."),
            ),
            _i(
                "outcomes-standard-measures",
                _("Practitioners use standard outcome measures at assessment and discharge."),
                _("A sample of anonymized charts showing a measure such as NPRS, Oswestry or LEFS."),
            ),
            _i(
                "outcomes-written-plan",
                _("Every initial assessment ends with a written plan of care the patient receives."),
                _("A sample of anonymized plans of care and how patients get them."),
            ),
            _i(
                "outcomes-referral",
                _("Patients are referred on when care is not helping, and the referral is recorded."),
                _("The clinic's referral practice and a sample of anonymized referrals."),
            ),
        ),
    ),
    Category(
        "experience",
        _("Satisfaction and experience"),
        10,
        (
            _c(
                "experience-clinic-cancellations",
                _("The clinic itself cancels fewer than 3 in 100 booked visits."),
                _("Appointments of the last 12 months and those the clinic's staff cancelled."),
            ),
            _c(
                "experience-first-visit",
                _("A first visit can usually be booked within 7 days."),
                _("The clinic's next open times, as search shows them."),
            ),
            _i(
                "experience-accessibility",
                _("The accessibility information shown (entrance, washroom, parking) is accurate."),
                _("Photos or a video call showing the entrance, washroom and parking."),
            ),
            _i(
                "experience-languages",
                _("The languages shown are spoken by the practitioners listed for them."),
                _("A short call or visit with each practitioner listed for a language."),
            ),
            _i(
                "experience-privacy",
                _("Treatment areas give privacy, and draping is offered."),
                _("Photos of treatment rooms or curtains, and the draping practice."),
            ),
        ),
    ),
    Category(
        "cost",
        _("Cost transparency"),
        9,
        (
            _c(
                "cost-prices-published",
                _("Every service shows its price on PainHero."),
                _("The clinic's active services and their prices."),
            ),
            _i(
                "cost-prices-charged",
                _("Patients are charged the prices shown."),
                _("Anonymized receipts or a test booking compared with the published prices."),
            ),
            _i(
                "cost-cancellation-fees",
                _("Late-cancellation and no-show fees are written down and told before booking."),
                _("The written fee policy and where patients see it before they book."),
            ),
            _i(
                "cost-direct-billing",
                _("Direct billing to insurers works as shown on PainHero."),
                _("The clinic's billing provider accounts for each insurer listed."),
            ),
            _i(
                "cost-receipts",
                _("Receipts show the practitioner's name, discipline and registration number."),
                _("A sample receipt for each discipline."),
            ),
        ),
    ),
    Category(
        "safety",
        _("Safety and governance"),
        10,
        (
            _i(
                "safety-privacy-officer",
                _("The clinic has a privacy officer and follows its province's health-privacy law."),
                _("The privacy officer's name and the clinic's privacy policy."),
            ),
            _i(
                "safety-records",
                _("Clinical records are kept securely and for as long as the college requires."),
                _("Where and how records are kept, who can open them, and the retention rule."),
            ),
            _i(
                "safety-infection-control",
                _("Hands are washed and tables cleaned between patients; needles go in sharps containers."),
                _("The clinic's infection-control routine, seen on site or by video."),
            ),
            _i(
                "safety-emergency",
                _("There is a first-aid kit, an emergency plan and staff trained in first aid."),
                _("The plan, the kit and current first-aid certificates."),
            ),
            _i(
                "safety-consent",
                _("Informed consent is asked for and recorded before treatment, including needling or manipulation."),
                _("The consent form and a sample of anonymized records showing it."),
            ),
        ),
    ),
    Category(
        "freshness",
        _("Data freshness and responsiveness"),
        8,
        (
            _c(
                "freshness-open-times",
                _("Every practitioner has times open to book in the next 14 days."),
                _("The open times of each active practitioner over the next 14 days."),
            ),
            _c(
                "freshness-visits-closed",
                _("Visits are marked completed or missed within 2 days."),
                _("Past appointments still marked booked more than 2 days after their time."),
            ),
            _c(
                "freshness-profile",
                _("The clinic's profile was reviewed in the last 12 months."),
                _("When the clinic's profile (address, phone, services) last changed or was confirmed."),
            ),
            _c(
                "freshness-schedule",
                _("The schedule has been kept up to date in the last 30 days."),
                _("When working hours, time off or extra openings were last computed into open times."),
            ),
            _i(
                "freshness-phone",
                _("The clinic answers the phone or returns a message within one business day."),
                _("A test call: its date and when the clinic answered or called back."),
            ),
        ),
    ),
)

POINTS: dict[str, Point] = {point.id: point for category in RUBRIC for point in category.points}
CATEGORY_OF: dict[str, Category] = {point.id: category for category in RUBRIC for point in category.points}
GATES: tuple[str, ...] = tuple(point_id for point_id, point in POINTS.items() if point.gate)


@dataclass(frozen=True)
class CategoryScore:
    category: Category
    passed: int
    assessed: int  # points with a result (computed points without data have none)

    @property
    def share(self) -> float | None:
        """The share of assessed points that passed, 0 to 1; None when nothing was assessed."""
        return self.passed / self.assessed if self.assessed else None


@dataclass(frozen=True)
class Score:
    value: int  # 0 to 100
    gates_passed: bool
    categories: tuple[CategoryScore, ...]
    pass_mark: int = PASS_MARK

    @property
    def admissible(self) -> bool:
        return self.gates_passed and self.value >= self.pass_mark


def score_derive(results: Mapping[str, bool | None]) -> Score:
    """The score of a set of point results (point id -> passed; None or absent: not assessed).

    Raises ``ValueError`` for an id that is not a point of this rubric: a result is never silently dropped.
    """
    unknown = set(results) - set(POINTS)
    if unknown:
        raise ValueError(f"Not points of rubric {RUBRIC_VERSION}: {', '.join(sorted(unknown))}")
    categories = []
    for category in RUBRIC:
        marks = [results.get(point.id) for point in category.points]
        categories.append(
            CategoryScore(
                category=category,
                passed=sum(1 for mark in marks if mark is True),
                assessed=sum(1 for mark in marks if mark is not None),
            )
        )
    weighed = sum(c.category.weight for c in categories if c.assessed)
    earned = sum((Decimal(c.category.weight * c.passed) / c.assessed for c in categories if c.assessed), Decimal(0))
    value = int((100 * earned / weighed).quantize(Decimal(1), rounding=ROUND_HALF_UP)) if weighed else 0
    return Score(
        value=value,
        gates_passed=all(results.get(gate) is True for gate in GATES),
        categories=tuple(categories),
    )
