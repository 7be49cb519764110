"""The 50-point inspection: its points, categories and weights, and the one formula from results to a score.

Pure: no database. ``score_derive`` is the only way a score is made (DESIGN.md invariant 11); the inspection
services store what it answers. A change to any point, weight or the pass mark is a new ``RUBRIC_VERSION``:
inspections keep the version they were made under. Each point's ``fix`` is advice for the clinic's report, not a
criterion: rewording it leaves the version alone.

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

# ``Point.fix`` (the advice shown to a clinic that failed a point) is not part of scoring: changing it is not a new
# version.
RUBRIC_VERSION = "2026.1"
PASS_MARK = 70
POINT_COUNT = 50


@dataclass(frozen=True)
class Point:
    id: str
    label: Promise  # a statement a patient understands and an inspector can answer yes or no
    how: Promise  # inspector-checked: the evidence to record; computed: the platform data it reads
    fix: Promise  # advice for a clinic that failed it: what to do, where, and what the next inspection looks for
    gate: bool = False  # must pass for admission, whatever the score
    computed: bool = False  # derived from the platform's own data, never entered by an inspector


@dataclass(frozen=True)
class Category:
    key: str
    name: Promise
    weight: int  # percent of the score
    points: tuple[Point, ...]


def _i(id: str, label: Promise, how: Promise, fix: Promise, *, gate: bool = False) -> Point:
    return Point(id=id, label=label, how=how, fix=fix, gate=gate, computed=False)


def _c(id: str, label: Promise, how: Promise, fix: Promise) -> Point:
    return Point(id=id, label=label, how=how, fix=fix, computed=True)


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
                _(
                    "Check that each active practitioner is registered and in good standing on their college's "
                    "public register, and enter the college and registration number on their page under "
                    "Practitioners. The inspector will look each one up and record the number and the date."
                ),
                gate=True,
            ),
            _i(
                "credentials-insurance",
                _("Every practitioner has professional liability insurance, and proof is on file."),
                _("A current certificate of insurance for each practitioner, valid on the inspection date."),
                _(
                    "Collect a current certificate of professional liability insurance from each practitioner and "
                    "keep the copies together, with each renewal date noted. The inspector will ask to see a "
                    "certificate valid on the inspection day for everyone."
                ),
                gate=True,
            ),
            _i(
                "credentials-restriction",
                _("No practitioner has an active restriction, condition or suspension on their practice."),
                _("The college register shows no current terms, conditions or limitations for anyone."),
                _(
                    "If the college register shows terms, conditions or a suspension for a practitioner, retire them "
                    "under Practitioners until the register shows it lifted, and tell PainHero. The inspector will "
                    "check the register again for every active practitioner."
                ),
                gate=True,
            ),
            _c(
                "credentials-listed",
                _("Each practitioner's college and registration number are shown on PainHero."),
                _("The college and registration number of the clinic's active practitioners."),
                _(
                    "Open each active practitioner under Practitioners and fill in their college and registration "
                    "number exactly as the college register shows them. The next inspection counts the active "
                    "practitioners who show both."
                ),
            ),
            _i(
                "credentials-director",
                _("A named person is responsible for the clinic and answers PainHero."),
                _("Name, phone and email of the owner or clinic director, confirmed by a call."),
                _(
                    "Name one person, the owner or a clinic director, who is responsible for the clinic, send "
                    "PainHero their name, phone and email, and keep the clinic's phone and email current in Clinic "
                    "profile. The inspector will call that person to confirm."
                ),
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
                _(
                    "Read the published decision with the practitioner, write down what has changed since "
                    "(supervision, training, a new policy) and share it with PainHero's network team. The inspector "
                    "searches the colleges' decisions again by name; a finding counts for five years."
                ),
            ),
            _c(
                "complaints-substantiated",
                _("Fewer than two complaints upheld by PainHero in the last 12 months."),
                _("Complaints about the clinic that PainHero found substantiated, last 12 months."),
                _(
                    "Read each upheld complaint under Complaints, find the step that led to it (booking, billing, "
                    "care, conduct) and change it. The next inspection counts complaints upheld in the last 12 "
                    "months, so each one stops counting a year after it was filed."
                ),
            ),
            _c(
                "complaints-acknowledged",
                _("Complaints are acknowledged within 2 business days."),
                _("When each complaint of the last 12 months was acknowledged by the clinic."),
                _(
                    "Open each new complaint under Complaints and press Acknowledge within 2 business days, even "
                    "before you have an answer, and have someone check the list every working day. The next "
                    "inspection reads when each complaint was acknowledged."
                ),
            ),
            _c(
                "complaints-resolved",
                _("Complaints are resolved within 30 days."),
                _("When each complaint of the last 12 months was resolved."),
                _(
                    "Write your answer on each complaint's page under Complaints and send it with “Send and mark "
                    "resolved” within 30 days of filing. The next inspection reads when each complaint of the last "
                    "12 months was resolved."
                ),
            ),
            _i(
                "complaints-process",
                _("The clinic has a written complaints process and tells patients about it."),
                _("A copy of the process and where patients see it (front desk, website, intake form)."),
                _(
                    "Write down how a patient complains, who answers and how fast (for example: acknowledged within "
                    "2 business days, answered within 30 days), and show it at the front desk, on your website and "
                    "on the intake form. The inspector will ask for a copy and where patients see it."
                ),
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
                _(
                    "Mark each visit completed on Today once it ends: PainHero invites every patient whose visit is "
                    "marked completed to review it, once, so there is no need to choose whom to ask. The next "
                    "inspection counts the verified reviews of the last 24 months."
                ),
            ),
            _c(
                "reviews-adjusted",
                _("An adjusted rating of 4.0 out of 5 or more."),
                _("The adjusted rating of the clinic's verified reviews (formula on this page)."),
                _(
                    "Read your reviews under Reviews for what patients raise most often, and change one thing at a "
                    "time. The next inspection reads the adjusted rating of your verified reviews again."
                ),
            ),
            _c(
                "reviews-recent",
                _("At least one verified review in the last 6 months."),
                _("The date of the clinic's latest verified review."),
                _(
                    "Keep marking visits completed on Today the same day, so patients receive their review "
                    "invitation while the visit is fresh. The next inspection looks for at least one verified review "
                    "in the last 6 months."
                ),
            ),
            _c(
                "reviews-replies",
                _("The clinic answers at least half of its critical reviews (3 stars or fewer)."),
                _("Verified reviews of 3 stars or fewer and the clinic's public replies."),
                _(
                    "Under Reviews, write a calm public reply to each review of 3 stars or fewer: thank the patient, "
                    "say what you will look into, and never share health details. The next inspection counts how "
                    "many of these reviews have your reply."
                ),
            ),
            _i(
                "reviews-no-incentives",
                _("The clinic offers no reward for reviews and never asks only happy patients."),
                _("The clinic's signage, emails and website, and its written statement."),
                _(
                    "Remove any discount, draw or gift tied to reviews from your signage, emails and website, and "
                    "let PainHero's invitations reach every patient. The inspector will read those materials and ask "
                    "for your written statement that no reward is offered."
                ),
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
                _(
                    "At the end of each visit, say in plain words what the problem is, what the plan is and what "
                    "comes next, and give it in writing when you can. The next inspection reads patients' rating of "
                    "“explained the problem and the plan” again."
                ),
            ),
            _c(
                "ratings-listened",
                _("Patients say they were listened to (4.0 or more)."),
                _("The mean of the sub-rating “listened”."),
                _(
                    "Leave time at the start of each visit for the patient to describe the problem and say what "
                    "matters most to them, before the examination. The next inspection reads the “listened” rating "
                    "in verified reviews again."
                ),
            ),
            _c(
                "ratings-on-time",
                _("Patients say visits started on time (4.0 or more)."),
                _("The mean of the sub-rating “started on time”."),
                _(
                    "Set a buffer between visits in the booking rules under Schedules, and check that each service's "
                    "duration under Services matches how long visits really take. The next inspection reads the "
                    "“started on time” rating again."
                ),
            ),
            _c(
                "ratings-clean",
                _("Patients say the clinic is clean and accessible (4.0 or more)."),
                _("The mean of the sub-rating “clean and accessible”."),
                _(
                    "Check the entrance, waiting room, washroom and treatment rooms every day with a short "
                    "checklist, and keep the accessibility details in Clinic profile accurate. The next inspection "
                    "reads the “clean and accessible” rating again."
                ),
            ),
            _c(
                "ratings-recommend",
                _("Patients would recommend the clinic (4.0 or more)."),
                _("The mean of the sub-rating “would recommend”."),
                _(
                    "Under Reviews, read the comments of patients who gave a low “would recommend” score and act on "
                    "what comes up more than once. The next inspection reads the “would recommend” rating again."
                ),
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
                _(
                    "Invite patients to rate the clinic on public review sites too, in the same way for every "
                    "patient and with no reward, and answer public reviews politely. The inspector will read your "
                    "ratings there again, with links and the date read."
                ),
            ),
            _i(
                "reputation-no-pattern",
                _("No pattern of serious complaints (safety, billing, conduct) in public reviews."),
                _("Public reviews of the last two years, read for repeated serious complaints."),
                _(
                    "Read your public reviews of the last two years for repeated safety, billing or conduct "
                    "concerns, fix what is behind them and note what you changed. The inspector will read those "
                    "reviews again for a repeated pattern."
                ),
            ),
            _i(
                "reputation-years",
                _("The clinic has been open at least two years, or its director has."),
                _("The business registration date, or the director's previous clinic."),
                _(
                    "Send PainHero the clinic's business registration date or, for a newer clinic, the director's "
                    "previous clinic and their years there. The inspector will check that date or that clinic."
                ),
            ),
            _i(
                "reputation-business",
                _("The business is registered and in good standing in its province."),
                _("The provincial business registry entry, with the date read."),
                _(
                    "Renew or correct the clinic's entry in the provincial business registry and file any overdue "
                    "annual return. The inspector will read the registry entry again and note the date."
                ),
            ),
            _i(
                "reputation-no-actions",
                _("No unresolved consumer-protection action or news report about the clinic."),
                _("A search of consumer-protection decisions and the news, with what was found."),
                _(
                    "Settle any open consumer-protection matter and keep the decision or settlement on file; for a "
                    "news report, write down what happened and what the clinic changed. The inspector will search "
                    "the decisions and the news again and ask for these papers."
                ),
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
                _(
                    "Have a pain and function check-in recorded at each visit: patients get a link before it, and "
                    "practitioners can record it from the visit's check-in page; follow the share under Outcomes. "
                    "The next inspection counts the completed visits of the last 12 months that have a measure."
                ),
            ),
            _c(
                "outcomes-improved",
                _("Most patients who finish a plan of care report less pain or better function."),
                _("The first and last outcome measure of each finished care plan."),
                _(
                    "Under Outcomes, look at the patients who did not get better and review their plan of care with "
                    "the practitioner: change the approach or refer them on. The next inspection compares the first "
                    "and last measure of each finished care plan."
                ),
            ),
            _i(
                "outcomes-standard-measures",
                _("Practitioners use standard outcome measures at assessment and discharge."),
                _("A sample of anonymized charts showing a measure such as NPRS, Oswestry or LEFS."),
                _(
                    "Use a standard outcome measure such as NPRS, Oswestry or LEFS at the initial assessment and "
                    "again at discharge, and write the scores in the chart. The inspector will look for them in a "
                    "sample of anonymized charts."
                ),
            ),
            _i(
                "outcomes-written-plan",
                _("Every initial assessment ends with a written plan of care the patient receives."),
                _("A sample of anonymized plans of care and how patients get them."),
                _(
                    "End each initial assessment with a written plan of care (goals, visits, home exercises) that "
                    "the patient takes home or receives by email; after a free consultation, practitioners can write "
                    "and send it from Consultations. The inspector will read sample plans and ask how patients get "
                    "them."
                ),
            ),
            _i(
                "outcomes-referral",
                _("Patients are referred on when care is not helping, and the referral is recorded."),
                _("The clinic's referral practice and a sample of anonymized referrals."),
                _(
                    "Agree on when a patient who is not improving is referred on (for example, after a set number of "
                    "visits without change), and record each referral and its reason in the chart. The inspector "
                    "will ask about this practice and read sample referrals."
                ),
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
                _(
                    "Enter planned time off and clinic closures in Schedules early so that no patient books into "
                    "them, and move a visit rather than cancel it when you must. The next inspection counts the "
                    "visits of the last 12 months that the clinic cancelled."
                ),
            ),
            _c(
                "experience-first-visit",
                _("A first visit can usually be booked within 7 days."),
                _("The clinic's next open times, as search shows them."),
                _(
                    "Add weekly hours or post extra openings for your practitioners in Schedules so that a new "
                    "patient can book within 7 days. The next inspection reads the next open times that search "
                    "shows."
                ),
            ),
            _i(
                "experience-accessibility",
                _("The accessibility information shown (entrance, washroom, parking) is accurate."),
                _("Photos or a video call showing the entrance, washroom and parking."),
                _(
                    "Correct the wheelchair access and accessibility notes in Clinic profile so they describe the "
                    "entrance, washroom and parking as they are today. The inspector will ask for photos or a video "
                    "call showing each."
                ),
            ),
            _i(
                "experience-languages",
                _("The languages shown are spoken by the practitioners listed for them."),
                _("A short call or visit with each practitioner listed for a language."),
                _(
                    "Under Practitioners, list for each person only the languages they can treat in, and correct the "
                    "clinic's languages in Clinic profile. The inspector will have a short conversation with each "
                    "practitioner in each language listed."
                ),
            ),
            _i(
                "experience-privacy",
                _("Treatment areas give privacy, and draping is offered."),
                _("Photos of treatment rooms or curtains, and the draping practice."),
                _(
                    "Give each treatment area a door or curtain, and offer a gown or draping before any undressing, "
                    "as a written routine for all staff. The inspector will look at photos of the rooms and ask how "
                    "draping is offered."
                ),
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
                _(
                    "Open each active service under Services and enter its price before tax; retire any service you "
                    "no longer offer. The next inspection counts the active services that show a price."
                ),
            ),
            _i(
                "cost-prices-charged",
                _("Patients are charged the prices shown."),
                _("Anonymized receipts or a test booking compared with the published prices."),
                _(
                    "Compare the prices in your billing system with those under Services and correct one or the "
                    "other, so that patients pay what PainHero shows. The inspector will compare receipts or a test "
                    "booking with the published prices."
                ),
            ),
            _i(
                "cost-cancellation-fees",
                _("Late-cancellation and no-show fees are written down and told before booking."),
                _("The written fee policy and where patients see it before they book."),
                _(
                    "Write down your late-cancellation and no-show fees, show them at the front desk and on your "
                    "website, and tell patients before they book; set the cancellation window in the booking rules "
                    "under Schedules to match. The inspector will ask for the written policy and where patients see "
                    "it."
                ),
            ),
            _i(
                "cost-direct-billing",
                _("Direct billing to insurers works as shown on PainHero."),
                _("The clinic's billing provider accounts for each insurer listed."),
                _(
                    "In Clinic profile, keep only the insurers you can bill directly today, and check that your "
                    "billing provider account is active for each. The inspector will ask to see the account for each "
                    "insurer listed."
                ),
            ),
            _i(
                "cost-receipts",
                _("Receipts show the practitioner's name, discipline and registration number."),
                _("A sample receipt for each discipline."),
                _(
                    "Set up your receipts to show the practitioner's full name, discipline and registration number, "
                    "for every discipline you offer. The inspector will ask for one sample receipt per discipline."
                ),
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
                _(
                    "Name a privacy officer and write a privacy policy that follows your province's health-privacy "
                    "law, and make it available to patients. The inspector will ask for the officer's name and a "
                    "copy of the policy."
                ),
            ),
            _i(
                "safety-records",
                _("Clinical records are kept securely and for as long as the college requires."),
                _("Where and how records are kept, who can open them, and the retention rule."),
                _(
                    "Keep clinical records in a locked cabinet or an access-controlled system, limit who can open "
                    "them, and write down how long you keep them under your college's rule. The inspector will ask "
                    "where the records are, who can open them and the retention rule."
                ),
            ),
            _i(
                "safety-infection-control",
                _("Hands are washed and tables cleaned between patients; needles go in sharps containers."),
                _("The clinic's infection-control routine, seen on site or by video."),
                _(
                    "Write a short routine (hands washed and tables cleaned between patients, a sharps container "
                    "wherever needles are used) and train every staff member on it. The inspector will watch the "
                    "routine on site or by video."
                ),
            ),
            _i(
                "safety-emergency",
                _("There is a first-aid kit, an emergency plan and staff trained in first aid."),
                _("The plan, the kit and current first-aid certificates."),
                _(
                    "Keep a stocked first-aid kit, post a written emergency plan, and make sure someone with a "
                    "current first-aid certificate is on every shift. The inspector will ask to see the plan, the "
                    "kit and the certificates."
                ),
            ),
            _i(
                "safety-consent",
                _("Informed consent is asked for and recorded before treatment, including needling or manipulation."),
                _("The consent form and a sample of anonymized records showing it."),
                _(
                    "Use a consent form that explains each treatment, including needling or manipulation, and record "
                    "the patient's consent in the chart before treating. The inspector will read the form and a "
                    "sample of anonymized records."
                ),
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
                _(
                    "Open Schedules and give every active practitioner weekly hours or posted openings in the next "
                    "14 days; retire anyone who no longer works at the clinic under Practitioners. The next "
                    "inspection checks each active practitioner's open times over 14 days."
                ),
            ),
            _c(
                "freshness-visits-closed",
                _("Visits are marked completed or missed within 2 days."),
                _("Past appointments still marked booked more than 2 days after their time."),
                _(
                    "Each working day, mark yesterday's visits completed or missed on Today (the arrow goes back a "
                    "day), and name one person to do it. The next inspection counts past visits still marked booked "
                    "more than 2 days later."
                ),
            ),
            _c(
                "freshness-profile",
                _("The clinic's profile was reviewed in the last 12 months."),
                _("When the clinic's profile (address, phone, services) last changed or was confirmed."),
                _(
                    "Open Clinic profile, check the address, phone, opening hours and description, and save it, even "
                    "with no change: saving records the date. The next inspection reads when the profile last "
                    "changed or was confirmed."
                ),
            ),
            _c(
                "freshness-schedule",
                _("The schedule has been kept up to date in the last 30 days."),
                _("When working hours, time off or extra openings were last computed into open times."),
                _(
                    "Review each practitioner's weekly hours and time off in Schedules at least once a month and "
                    "save any change: a change recomputes the open times patients see. The next inspection reads "
                    "when they were last computed."
                ),
            ),
            _i(
                "freshness-phone",
                _("The clinic answers the phone or returns a message within one business day."),
                _("A test call: its date and when the clinic answered or called back."),
                _(
                    "Have someone answer the phone during opening hours, with a voicemail that says when you will "
                    "call back, and return every message within one business day; keep the phone number in Clinic "
                    "profile correct. The inspector will make a test call and note when the clinic answered or "
                    "called back."
                ),
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
