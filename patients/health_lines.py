"""Each province's and territory's nurse health line, for the "see a doctor first" answer.

811 reaches a registered nurse, day and night, in every province and territory that has it; Nunavut has no 811
service, so its residents are sent to their community health centre. Review this table with a clinician when a
province changes its service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from places.models import Province

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class HealthLine:
    name: str  # the service's own name (not translated: it is what the patient hears when it answers)
    phone: str  # what to dial; empty where there is no line
    advice: StrPromise | None = None


LINES: dict[str, HealthLine] = {
    Province.AB: HealthLine("Health Link", "811"),
    Province.BC: HealthLine("HealthLink BC", "811"),
    Province.MB: HealthLine("Health Links – Info Santé", "811"),
    Province.NB: HealthLine("Tele-Care 811", "811"),
    Province.NL: HealthLine("811 HealthLine", "811"),
    Province.NS: HealthLine("811 Nova Scotia", "811"),
    Province.NT: HealthLine("811 NWT", "811"),
    Province.NU: HealthLine(
        "", "", _("Nunavut has no 811 line: call or visit your community health centre, or your doctor.")
    ),
    Province.ON: HealthLine("Health811", "811"),
    Province.PE: HealthLine("811 PEI", "811"),
    Province.QC: HealthLine("Info-Santé 811", "811"),
    Province.SK: HealthLine("HealthLine 811", "811"),
    Province.YT: HealthLine("Yukon 811", "811"),
}


def health_line(province: str | None) -> HealthLine | None:
    return LINES.get(province or "")
