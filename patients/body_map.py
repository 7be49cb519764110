"""The body map's drawing: front and back figures, each region's shapes and where its button sits.

The drawing is decoration (``aria-hidden``); each region is a real ``<button>`` with its name as text, placed over
the drawing by a CSS class (``body-map__spot--<side>-<region>`` in static/patients/intake.css: the page's
Content-Security-Policy allows no inline style). Without JavaScript a button submits the step and turns its region
on or off; with it (static/patients/intake.js), it ticks the same region's box in the plain list below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from patients.rules import REGIONS

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class Shape:
    tag: str
    attrs: SafeString
    region: str = ""


@dataclass(frozen=True)
class Figure:
    name: str
    label: StrPromise
    shapes: tuple[Shape, ...]
    spots: tuple[tuple[str, StrPromise], ...]


def _s(tag: str, attrs: str, region: str = "") -> Shape:
    return Shape(tag=tag, attrs=mark_safe(attrs), region=region)  # noqa: S308 (constants of this module)


def _limbs(*, hands: bool) -> tuple[Shape, ...]:
    shapes = [
        _s("rect", 'x="36" y="100" width="20" height="48" rx="9"'),
        _s("rect", 'x="144" y="100" width="20" height="48" rx="9"'),
        _s("circle", 'cx="46" cy="156" r="11"', "elbow"),
        _s("circle", 'cx="154" cy="156" r="11"', "elbow"),
        _s("rect", 'x="34" y="166" width="18" height="38" rx="8"'),
        _s("rect", 'x="148" y="166" width="18" height="38" rx="8"'),
        _s("rect", 'x="70" y="214" width="26" height="66" rx="10"'),
        _s("rect", 'x="104" y="214" width="26" height="66" rx="10"'),
        _s("circle", 'cx="83" cy="292" r="13"', "knee"),
        _s("circle", 'cx="117" cy="292" r="13"', "knee"),
        _s("rect", 'x="73" y="306" width="20" height="72" rx="9"'),
        _s("rect", 'x="107" y="306" width="20" height="72" rx="9"'),
        _s("ellipse", 'cx="83" cy="392" rx="15" ry="10"', "ankle_foot"),
        _s("ellipse", 'cx="117" cy="392" rx="15" ry="10"', "ankle_foot"),
        _s("circle", 'cx="58" cy="92" r="14"', "shoulder"),
        _s("circle", 'cx="142" cy="92" r="14"', "shoulder"),
        _s("rect", 'x="66" y="182" width="68" height="34" rx="10"', "hip"),
        _s("rect", 'x="88" y="60" width="24" height="22" rx="6"', "neck"),
    ]
    hand = "wrist_hand" if hands else ""
    shapes += [_s("circle", 'cx="42" cy="218" r="13"', hand), _s("circle", 'cx="158" cy="218" r="13"', hand)]
    return tuple(shapes)


FRONT = Figure(
    name="front",
    label=_("Body map, front"),
    shapes=(
        _s("circle", 'cx="100" cy="36" r="26"', "head_jaw"),
        _s("rect", 'x="66" y="80" width="68" height="104" rx="14"'),
        *_limbs(hands=True),
    ),
    spots=tuple(
        (r, REGIONS[r]) for r in ("head_jaw", "neck", "shoulder", "elbow", "wrist_hand", "hip", "knee", "ankle_foot")
    ),
)

BACK = Figure(
    name="back",
    label=_("Body map, back"),
    shapes=(
        _s("circle", 'cx="100" cy="36" r="26"'),
        _s("rect", 'x="68" y="80" width="64" height="54" rx="12"', "upper_back"),
        _s("rect", 'x="68" y="134" width="64" height="48" rx="8"', "lower_back"),
        *_limbs(hands=False),
    ),
    spots=tuple(
        (r, REGIONS[r]) for r in ("neck", "shoulder", "upper_back", "elbow", "lower_back", "hip", "knee", "ankle_foot")
    ),
)

FIGURES = (FRONT, BACK)
