"""The intake's questions and its red-flag rules, in one module a clinician can read and check.

What is asked (``QUESTIONS``), which warning-sign question is asked for which painful region (``regions``),
and what the answers lead to (``triage``):

- **emergency** (call 911 or go to the emergency department, no booking): any "yes" to ``EMERGENCY``, or a
  fever together with a risk of infection, or a recent accident behind neck pain at 65 or older (the Canadian
  C-spine rule's high-risk age, so ``neck_trauma`` becomes ``neck_trauma_high_risk``);
- **urgent** (see a doctor first, within 24-48 hours; booking only after the patient confirms it): any "yes" to
  ``URGENT``, a fever alone included;
- **routine, with a note to the clinician**: ``inflammatory`` back pain, or new pain (under 12 weeks) under 20 or
  over 55 years of age;
- otherwise **routine**.

A warning-sign question whose ``regions`` is empty is asked whatever hurts; one with regions is asked when any of
them hurts, or when the patient chose "other" (we cannot tell what "other" spares, so we ask everything).

Change a question, a choice or a rule and ``QUESTION_SET_VERSION`` must change: every intake records the version
it was answered with, so a clinician reading an old one knows which questions were asked. The answers to these
questions are used for care only.

``triage`` is a pure function of the answers (already checked by ``patients.answers``): no database, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext_lazy as _

from clinics.models import Discipline

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

QUESTION_SET_VERSION = "2026-12.1"

Level = Literal["emergency", "urgent", "routine"]
QuestionType = Literal["multiple_choice", "choice", "integer", "text", "activities", "yes_no"]

# --- Where it hurts -----------------------------------------------------------------------------------------

NECK = "neck"
UPPER_BACK = "upper_back"
LOWER_BACK = "lower_back"
SHOULDER = "shoulder"
ELBOW = "elbow"
WRIST_HAND = "wrist_hand"
HIP = "hip"
KNEE = "knee"
ANKLE_FOOT = "ankle_foot"
HEAD_JAW = "head_jaw"
OTHER = "other"

REGIONS: dict[str, StrPromise] = {
    NECK: _("Neck"),
    UPPER_BACK: _("Upper back"),
    LOWER_BACK: _("Lower back"),
    SHOULDER: _("Shoulder"),
    ELBOW: _("Elbow"),
    WRIST_HAND: _("Wrist or hand"),
    HIP: _("Hip"),
    KNEE: _("Knee"),
    ANKLE_FOOT: _("Ankle or foot"),
    HEAD_JAW: _("Head or jaw"),
    OTHER: _("Somewhere else"),
}

# --- How long, how it started ------------------------------------------------------------------------------

DURATIONS: dict[str, StrPromise] = {
    "under_1_week": _("Less than a week"),
    "1_6_weeks": _("1 to 6 weeks"),
    "6_12_weeks": _("6 to 12 weeks"),
    "over_12_weeks": _("More than 12 weeks"),
}
# "New pain" for the age rule: anything that started less than 12 weeks ago.
NEW_PAIN = frozenset({"under_1_week", "1_6_weeks", "6_12_weeks"})

ONSETS: dict[str, StrPromise] = {
    "injury": _("After an injury or accident"),
    "gradual": _("Gradually, without a clear cause"),
    "surgery": _("After surgery"),
}

MIN_AGE = 1
MAX_AGE = 120
YOUNG = 20  # under this age, new pain earns a note to the clinician
OLDER = 55  # over this age, likewise
NECK_TRAUMA_HIGH_RISK_AGE = 65
MAX_ACTIVITIES = 3
ACTIVITY_NAME_MAX = 80
TEXT_MAX = 500


@dataclass(frozen=True)
class Question:
    id: str
    concept: str
    text: StrPromise
    type: QuestionType
    required: bool = True
    choices: Mapping[str, StrPromise] = field(default_factory=dict)
    # For warning-sign questions: the regions that make it apply (empty: always asked).
    regions: frozenset[str] = frozenset()
    red_flag: bool = False
    minimum: int = 0
    maximum: int = 0
    max_length: int = 0
    help: StrPromise | None = None


def _flag(concept: str, text: StrPromise, *regions: str) -> Question:
    return Question(id=concept, concept=concept, text=text, type="yes_no", regions=frozenset(regions), red_flag=True)


ABOUT = (
    Question(
        id="region",
        concept="region",
        text=_("Where does it hurt?"),
        type="multiple_choice",
        choices=REGIONS,
        help=_("Choose every place that hurts."),
    ),
    Question(id="duration", concept="duration", text=_("How long has it hurt?"), type="choice", choices=DURATIONS),
    Question(id="onset", concept="onset", text=_("How did it start?"), type="choice", choices=ONSETS),
    Question(
        id="pain_now",
        concept="pain_now",
        text=_("How bad is the pain right now, from 0 (no pain) to 10 (the worst pain you can imagine)?"),
        type="integer",
        minimum=0,
        maximum=10,
    ),
    Question(
        id="activities",
        concept="activities",
        text=_(
            "Name up to three activities you cannot do or have trouble doing because of the pain, and rate each "
            "from 0 (unable to do it) to 10 (able to do it as well as before)."
        ),
        type="activities",
        required=False,
        minimum=0,
        maximum=10,
        max_length=ACTIVITY_NAME_MAX,
    ),
    Question(
        id="goals",
        concept="goals",
        text=_("What would you like to be able to do again?"),
        type="text",
        required=False,
        max_length=TEXT_MAX,
    ),
    Question(
        id="better",
        concept="better",
        text=_("What makes it better?"),
        type="text",
        required=False,
        max_length=TEXT_MAX,
    ),
    Question(
        id="worse",
        concept="worse",
        text=_("What makes it worse?"),
        type="text",
        required=False,
        max_length=TEXT_MAX,
    ),
    Question(id="age", concept="age", text=_("How old are you?"), type="integer", minimum=MIN_AGE, maximum=MAX_AGE),
)

SPINE = (NECK, UPPER_BACK, LOWER_BACK, HIP)

# --- Warning signs -------------------------------------------------------------------------------------------

RED_FLAGS = (
    # Emergency
    _flag(
        "cauda_equina",
        _(
            "Since the pain started, have you had new trouble controlling your bladder or bowels, or numbness "
            "in the groin, genitals or inner thighs (the area you would sit on in a saddle)?"
        ),
        LOWER_BACK,
        HIP,
    ),
    _flag(
        "progressive_neuro",
        _(
            "Are your legs or arms getting weaker, do you have new trouble walking, or are numbness or tingling "
            "spreading to both legs?"
        ),
    ),
    _flag(
        "myelopathy",
        _("Have your hands become clumsy (buttons, writing, dropping things), or is your walking unsteady?"),
        NECK,
        UPPER_BACK,
    ),
    _flag(
        "vascular",
        _(
            "Did this start with a sudden, worst-ever headache or neck pain, or do you have dizziness, double "
            "vision, trouble speaking or swallowing, or sudden falls?"
        ),
        NECK,
        HEAD_JAW,
    ),
    _flag(
        "meningitis",
        _(
            "Do you have a stiff neck with a fever, a severe headache that gets worse when you bend your neck "
            "forward, a new rash, or confusion?"
        ),
        NECK,
        HEAD_JAW,
    ),
    _flag(
        "chest_pain",
        _("Do you have chest pain, shortness of breath, or a tearing or ripping pain in your chest or back?"),
        UPPER_BACK,
        NECK,
        SHOULDER,
    ),
    _flag(
        "neck_trauma_high_risk",
        _(
            "Did the neck pain start after an accident or fall that was dangerous (a fall from a height or down "
            "stairs, a car, bike or diving accident), or do you have tingling in your arms or legs since then?"
        ),
        NECK,
    ),
    _flag(
        "fever",
        _("Do you have a fever (38 °C or more), or chills and night sweats?"),
    ),
    _flag(
        "infection_risk",
        _(
            "Do you inject drugs, have a weakened immune system (for example from cancer treatment, HIV, "
            "transplant medicines or long-term steroids), or have you had surgery or an infection in the last "
            "three months?"
        ),
    ),
    # See a doctor first
    _flag("cancer_history", _("Have you ever had cancer?")),
    _flag(
        "weight_loss",
        _("Have you lost weight without trying in the last few months (more than about 5 kg or 10 pounds)?"),
    ),
    _flag(
        "night_pain",
        _("Is the pain constant, even at rest, and worse at night, so that no position eases it?"),
    ),
    _flag(
        "fragility_fracture",
        _(
            "Did the pain start after a fall or a minor injury, and do you have osteoporosis (thin bones) or "
            "have you taken steroid medicines (such as prednisone) for more than three months?"
        ),
    ),
    _flag(
        "neck_trauma",
        _("Did the neck pain start after any other recent accident, fall or blow (in the last few weeks)?"),
        NECK,
    ),
    _flag(
        "no_improvement",
        _("Have you already had 4 to 6 weeks of treatment for this pain without getting any better?"),
    ),
    # Routine, with a note to the clinician
    _flag(
        "inflammatory",
        _(
            "Are you stiff for more than 30 minutes when you get up in the morning, and does moving or "
            "exercise make it better rather than worse?"
        ),
        *SPINE,
    ),
)

QUESTIONS: tuple[Question, ...] = ABOUT + RED_FLAGS
QUESTIONS_BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}

EMERGENCY = frozenset(
    {"cauda_equina", "progressive_neuro", "myelopathy", "vascular", "meningitis", "chest_pain", "neck_trauma_high_risk"}
)
URGENT = frozenset(
    {"cancer_history", "weight_loss", "night_pain", "fragility_fracture", "fever", "neck_trauma", "no_improvement"}
)
NOTE = frozenset({"inflammatory"})

# Why each concept matters, in plain words: shown to the patient (reasons) or the clinician (notes).
MESSAGES: dict[str, StrPromise] = {
    "cauda_equina": _(
        "New bladder or bowel trouble, or numbness between the legs, can mean the nerves at the bottom of the "
        "spine are being pressed. This needs to be checked in hospital today."
    ),
    "progressive_neuro": _(
        "Weakness that is getting worse, new trouble walking or symptoms spreading to both legs can mean a nerve "
        "or the spinal cord is under pressure. This needs to be checked today."
    ),
    "myelopathy": _(
        "Clumsy hands or unsteady walking can mean the spinal cord in the neck is being pressed. This needs to be "
        "checked today."
    ),
    "vascular": _(
        "A sudden, severe headache or neck pain, or dizziness, double vision, trouble speaking or swallowing, can "
        "be a sign of a problem with the blood vessels of the neck or brain. Every minute counts."
    ),
    "meningitis": _(
        "A stiff neck with fever, a severe headache, a rash or confusion can be a sign of meningitis, a serious "
        "infection. Every minute counts."
    ),
    "chest_pain": _(
        "Chest pain, shortness of breath or a tearing pain can come from the heart, the lungs or a large blood "
        "vessel rather than from muscles or joints."
    ),
    "neck_trauma_high_risk": _(
        "Neck pain after a dangerous accident or fall, at 65 or older, or with tingling in the arms or legs, needs "
        "an X-ray or scan to rule out a broken bone before anyone moves your neck."
    ),
    "infection_risk": _(
        "A fever in someone with a higher risk of infection can mean an infection in the spine or a joint. This "
        "needs to be checked today."
    ),
    "cancer_history": _(
        "With a history of cancer, a doctor should first rule out that the pain comes from it before treatment "
        "with hands-on therapy."
    ),
    "weight_loss": _("Losing weight without trying can be a sign of an illness that a doctor should look for first."),
    "night_pain": _(
        "Pain that is constant, even at rest and worse at night, is not typical of a muscle or joint problem; a "
        "doctor should look at it first."
    ),
    "fragility_fracture": _(
        "With fragile bones, even a small fall can break a bone. A doctor should rule out a fracture first, "
        "usually with an X-ray."
    ),
    "fever": _("A fever with the pain can be a sign of an infection that a doctor should look at first."),
    "neck_trauma": _(
        "Neck pain after a recent accident or fall should be checked by a doctor first, to rule out an injury that "
        "hands-on treatment could make worse."
    ),
    "no_improvement": _(
        "When several weeks of treatment have not helped, a doctor should look again at what causes the pain."
    ),
    "inflammatory": _(
        "Morning stiffness over 30 minutes that eases with exercise can point to inflammatory back pain "
        "(spondyloarthritis): consider referring the patient to their doctor for blood tests."
    ),
    "age": _(
        "New pain under 20 or over 55 years of age: screen for serious causes with extra care at the first visit."
    ),
}

LEVELS: tuple[Level, ...] = ("emergency", "urgent", "routine")


@dataclass(frozen=True)
class Triage:
    level: Level
    # (concept, message) for the patient: why this level.
    reasons: tuple[tuple[str, str], ...] = ()
    # (concept, message) for the clinician: things to keep in mind at a routine visit.
    clinician_notes: tuple[tuple[str, str], ...] = ()
    suggested_disciplines: tuple[str, ...] = field(default=())
    suggested_techniques: tuple[str, ...] = field(default=())


def applies(question: Question, regions: frozenset[str] | set[str] | list[str]) -> bool:
    """Whether a warning-sign question is asked for these painful regions."""
    chosen = set(regions)
    return not question.regions or OTHER in chosen or bool(question.regions & chosen)


def red_flags_for(regions: frozenset[str] | set[str] | list[str]) -> tuple[Question, ...]:
    """The warning-sign questions to ask, in order, when these regions hurt."""
    return tuple(q for q in RED_FLAGS if applies(q, regions))


def _yes(answers: Mapping[str, Any], concept: str) -> bool:
    return answers.get(concept) is True


def _reason(concept: str) -> tuple[str, str]:
    return concept, str(MESSAGES[concept])


def triage(answers: Mapping[str, Any]) -> Triage:
    """The level of care the answers call for, why, notes for the clinician and the care that may fit."""
    age = answers.get("age")
    emergency = [c for c in sorted(EMERGENCY) if _yes(answers, c)]
    if _yes(answers, "neck_trauma") and isinstance(age, int) and age >= NECK_TRAUMA_HIGH_RISK_AGE:
        emergency.append("neck_trauma_high_risk")
    if _yes(answers, "fever") and _yes(answers, "infection_risk"):
        emergency.append("infection_risk")
    if emergency:
        return Triage(level="emergency", reasons=tuple(_reason(c) for c in _ordered(emergency)))

    notes = []
    if _yes(answers, "inflammatory"):
        notes.append(_reason("inflammatory"))
    if isinstance(age, int) and (age < YOUNG or age > OLDER) and answers.get("duration") in NEW_PAIN:
        notes.append(_reason("age"))
    disciplines, techniques = suggest(answers)

    urgent = [c for c in sorted(URGENT) if _yes(answers, c)]
    if urgent:
        return Triage(
            level="urgent",
            reasons=tuple(_reason(c) for c in _ordered(urgent)),
            clinician_notes=tuple(notes),
            suggested_disciplines=disciplines,
            suggested_techniques=techniques,
        )
    return Triage(
        level="routine",
        clinician_notes=tuple(notes),
        suggested_disciplines=disciplines,
        suggested_techniques=techniques,
    )


def _ordered(concepts: list[str]) -> list[str]:
    """In the order the questions are asked (so the first reason is the first question that said yes)."""
    order = {q.concept: i for i, q in enumerate(RED_FLAGS)}
    return sorted(set(concepts), key=lambda c: order[c])


# --- Which care fits -----------------------------------------------------------------------------------------
# Per region: the disciplines that commonly treat it (first is the usual first choice) and techniques (slugs of
# clinics.Technique, as in demo/reference.py) that may help. Suggestions, not prescriptions: the therapist of the
# free consultation builds the plan.

PHYSIO = Discipline.PHYSIOTHERAPY.value
CHIRO = Discipline.CHIROPRACTIC.value
MASSAGE = Discipline.MASSAGE_THERAPY.value

CARE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    NECK: ((PHYSIO, CHIRO), ("active-release-technique", "spinal-manipulation", "myofascial-release")),
    UPPER_BACK: ((PHYSIO, CHIRO, MASSAGE), ("active-release-technique", "spinal-manipulation", "myofascial-release")),
    LOWER_BACK: ((PHYSIO, CHIRO), ("active-release-technique", "spinal-manipulation", "mckenzie-method")),
    SHOULDER: ((PHYSIO,), ("active-release-technique", "dry-needling", "kinesio-taping")),
    ELBOW: ((PHYSIO,), ("active-release-technique", "graston-technique", "shockwave-therapy")),
    WRIST_HAND: ((PHYSIO,), ("active-release-technique", "graston-technique", "kinesio-taping")),
    HIP: ((PHYSIO, CHIRO), ("active-release-technique", "dry-needling", "myofascial-release")),
    KNEE: ((PHYSIO,), ("active-release-technique", "dry-needling", "kinesio-taping")),
    ANKLE_FOOT: ((PHYSIO,), ("active-release-technique", "shockwave-therapy", "kinesio-taping")),
    HEAD_JAW: ((PHYSIO, MASSAGE), ("myofascial-release", "trigger-point-therapy")),
    OTHER: ((PHYSIO,), ()),
}
# Manipulation and its like are not for a recently operated body: after surgery, rehabilitation comes first.
AFTER_SURGERY_AVOID = frozenset({"spinal-manipulation", "activator-method", "dry-needling", "shockwave-therapy"})
MAX_TECHNIQUES = 4


def suggest(answers: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(disciplines, technique slugs) for the painful regions, adjusted for how and how long ago it started."""
    regions = [r for r in REGIONS if r in set(answers.get("region") or ())]
    disciplines: list[str] = []
    techniques: list[str] = []
    for region in regions:
        for discipline in CARE[region][0]:
            if discipline not in disciplines:
                disciplines.append(discipline)
        for technique in CARE[region][1]:
            if technique not in techniques:
                techniques.append(technique)
    onset = answers.get("onset")
    if onset == "surgery":
        # Post-operative rehabilitation is physiotherapy's.
        disciplines = [PHYSIO]
        techniques = [t for t in techniques if t not in AFTER_SURGERY_AVOID]
    elif answers.get("duration") == "over_12_weeks" and onset == "gradual":
        # Long-standing pain that came on by itself: soft-tissue work helps many, so massage therapy is a choice.
        if MASSAGE not in disciplines:
            disciplines.append(MASSAGE)
        if "trigger-point-therapy" not in techniques:
            techniques.append("trigger-point-therapy")
    if onset == "injury" and HEAD_JAW in regions:
        # A blow to the head behind head or jaw pain: concussion care comes first.
        techniques.insert(0, "concussion-rehabilitation")
    if not disciplines:
        disciplines = [PHYSIO]
    return tuple(disciplines), tuple(techniques[:MAX_TECHNIQUES])
