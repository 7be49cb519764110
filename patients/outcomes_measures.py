"""The outcome measures PainHero builds in, and the way a clinic holding a licence adds one.

Shipped, because they are free to build into software: the Numeric Pain Rating Scale (NPRS, 0-10), the
Patient-Specific Functional Scale (PSFS: the patient's own activities, each rated 0-10, averaged) and a global
rating of change (a 7-point scale in our own words). Not shipped: the Lower Extremity Functional Scale (we could not
confirm that its terms allow it in software) and the licensed questionnaires (Oswestry, Neck Disability Index,
QuickDASH, PROMIS), whose owners licence their wording to software makers.

A clinic holding such a licence registers the measure in its own module (never in this repository) and names it
in the setting ``OUTCOME_EXTRA_MEASURES``, a list of dotted paths to ``Measure`` objects; ``licensed_to`` keeps
it to the clinics that hold the licence. ``measures_for(clinic_id)`` is what every form and chart reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from patients.models import GROC_MAX, GROC_MIN, NPRS_MAX, NPRS_MIN, PSFS_MAX, PSFS_MIN

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

Direction = Literal["lower_is_better", "higher_is_better"]


def _nprs_meaningful(baseline: float, value: float) -> bool:
    """Down by 2 points or more, or by 30 % of the baseline or more (a baseline of 0 cannot improve)."""
    drop = baseline - value
    return drop >= 2 or (baseline > 0 and drop > 0 and drop * 10 >= baseline * 3)


def _psfs_meaningful(baseline: float, value: float) -> bool:
    """The average of the activities up by 2 points or more."""
    return value - baseline >= 2


def _never(baseline: float, value: float) -> bool:
    return False


@dataclass(frozen=True)
class Measure:
    id: str
    name: StrPromise | str
    minimum: int
    maximum: int
    direction: Direction
    # (baseline, value) -> whether the change from the baseline is meaningful for the patient.
    meaningful: Callable[[float, float], bool] = _never
    question: StrPromise | str = ""
    # Labels of some values (the scale's anchors), in the reader's language.
    anchors: dict[int, StrPromise | str] = field(default_factory=dict)
    rule: StrPromise | str = ""  # the meaningful-change rule in words, for the chart's description
    # None: every clinic; otherwise only these clinics (those holding the measure's licence).
    licensed_to: frozenset[int] | None = None

    def valid(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and self.minimum <= value <= self.maximum


NPRS = Measure(
    id="nprs",
    name=_("Pain now (0-10)"),
    minimum=NPRS_MIN,
    maximum=NPRS_MAX,
    direction="lower_is_better",
    meaningful=_nprs_meaningful,
    question=_("How bad is your pain right now?"),
    anchors={0: _("No pain"), 10: _("The worst pain you can imagine")},
    # xgettext:no-python-format
    rule=_("Pain down by 2 points or by 30% from the start."),
)
PSFS = Measure(
    id="psfs",
    name=_("Activities (average, 0-10)"),
    minimum=PSFS_MIN,
    maximum=PSFS_MAX,
    direction="higher_is_better",
    meaningful=_psfs_meaningful,
    question=_("How well can you do each activity today?"),
    anchors={0: _("Cannot do it at all"), 10: _("As well as before the pain")},
    rule=_("The activities' average up by 2 points from the start."),
)
GROC = Measure(
    id="groc",
    name=_("Compared with the start"),
    minimum=GROC_MIN,
    maximum=GROC_MAX,
    direction="higher_is_better",
    question=_("Compared with when you started, how are you now?"),
    anchors={
        -3: _("Much worse"),
        -2: _("Worse"),
        -1: _("A little worse"),
        0: _("About the same"),
        1: _("A little better"),
        2: _("Better"),
        3: _("Much better"),
    },
)

BUILT_IN: tuple[Measure, ...] = (NPRS, PSFS, GROC)
_registered: dict[str, Measure] = {}


def measure_register(measure: Measure) -> None:
    """Add a measure (a licensed one, from the clinic's own module); its id must be new."""
    if measure.id in {m.id for m in BUILT_IN} or (measure.id in _registered and _registered[measure.id] != measure):
        raise ValueError(f"an outcome measure {measure.id!r} is already registered")
    if measure.minimum >= measure.maximum:
        raise ValueError(f"outcome measure {measure.id!r}: minimum must be below maximum")
    _registered[measure.id] = measure


def _from_settings() -> Iterable[Measure]:
    for path in getattr(settings, "OUTCOME_EXTRA_MEASURES", ()):
        measure = import_string(path)
        if not isinstance(measure, Measure):
            raise TypeError(f"OUTCOME_EXTRA_MEASURES: {path} is not a patients.outcomes_measures.Measure")
        yield measure


def extra_measures_for(clinic_id: int | None) -> list[Measure]:
    """The registered (licensed) measures a clinic may use, read from the setting at every call so that a change
    of settings needs no restart logic, and from ``measure_register``."""
    found = {m.id: m for m in [*_registered.values(), *_from_settings()]}
    return [
        m
        for m in found.values()
        if m.id not in {b.id for b in BUILT_IN}
        and (m.licensed_to is None or (clinic_id is not None and clinic_id in m.licensed_to))
    ]


def measures_for(clinic_id: int | None) -> list[Measure]:
    """Every measure a clinic's check-ins ask: the free ones, then those it holds a licence for."""
    return [*BUILT_IN, *extra_measures_for(clinic_id)]
