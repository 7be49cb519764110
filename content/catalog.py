"""The guides PainHero ships (content/guides/<slug>.<language>.md): their kinds and the fixed list of slugs.

A guide may link (in ``related`` or in its body) to any slug listed here, written or not yet: a link to a guide
that is not loaded or not published is left out of the page, never shown broken.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("en", "fr")


class Kind(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    CONDITION = "condition", _("Condition")
    COMPARISON = "comparison", _("Comparison")
    ANSWER = "answer", _("Answer")


# The heading each kind has on the guide index, in the order the index shows them.
KIND_HEADINGS = {
    Kind.TREATMENT: _("Treatments"),
    Kind.CONDITION: _("Conditions"),
    Kind.COMPARISON: _("Comparisons"),
    Kind.ANSWER: _("Questions and answers"),
}

SLUGS: dict[str, tuple[str, ...]] = {
    Kind.TREATMENT: (
        "active-release-technique",
        "graston-technique",
        "dry-needling",
        "rolfing",
        "massage-therapy",
        "spinal-manipulation",
        "acupuncture",
        "cupping",
        "shockwave-therapy",
        "kinesiology-taping",
        "exercise-therapy",
    ),
    Kind.CONDITION: (
        "lower-back-pain",
        "neck-pain",
        "sciatica",
        "cervicogenic-headache",
        "frozen-shoulder",
        "rotator-cuff",
        "tennis-golfers-elbow",
        "carpal-tunnel",
        "hip-pain",
        "runners-knee",
        "hamstring-strain",
        "plantar-fasciitis",
        "whiplash",
        "scar-tissue-adhesions",
        "tmj",
    ),
    Kind.COMPARISON: (
        "art-vs-massage",
        "art-vs-graston",
        "art-vs-dry-needling",
        "art-vs-rolfing",
        "physio-vs-chiro-vs-massage",
    ),
    Kind.ANSWER: (
        "cost-of-a-visit",
        "insurance-and-direct-billing",
        "do-i-need-a-referral",
        "how-many-visits",
        "soreness-after-treatment",
        "what-to-wear-and-bring",
    ),
}
KIND_OF_SLUG = {slug: kind for kind, slugs in SLUGS.items() for slug in slugs}
ALL_SLUGS = frozenset(KIND_OF_SLUG)
