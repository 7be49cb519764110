"""How every page and email writes a value: one function per kind, in the active language.

- a price: "$1,295.00" / "1 295,00 $"
- a phone number: "(416) 300-3694" (dialled as "tel:+1-416-300-3694")
- a time of day on a schedule: "8 a.m." / "8 h"
- a moment in a clinic's zone: "7:45 AM" / "7 h 45", with its date "Thursday, December 3, 2026, 7:45 AM",
  and the zone's everyday name "Eastern time" / "l’heure de l’Est"

Templates reach these through the ``formats`` tag library (``painhero/templatetags/formats.py``); code calls
them directly. Nothing else formats one of these values by hand.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import phonenumbers
from django.utils import dateformat
from django.utils.formats import time_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"

# Each Canadian zone's everyday name; a zone not listed is named by its city.
ZONE_NAMES = {
    "America/St_Johns": gettext_lazy("Newfoundland time"),
    "America/Halifax": gettext_lazy("Atlantic time"),
    "America/Glace_Bay": gettext_lazy("Atlantic time"),
    "America/Moncton": gettext_lazy("Atlantic time"),
    "America/Goose_Bay": gettext_lazy("Atlantic time"),
    "America/Toronto": gettext_lazy("Eastern time"),
    "America/Montreal": gettext_lazy("Eastern time"),
    "America/Nipigon": gettext_lazy("Eastern time"),
    "America/Iqaluit": gettext_lazy("Eastern time"),
    "America/Winnipeg": gettext_lazy("Central time"),
    "America/Rankin_Inlet": gettext_lazy("Central time"),
    "America/Regina": gettext_lazy("Saskatchewan time"),
    "America/Swift_Current": gettext_lazy("Saskatchewan time"),
    "America/Edmonton": gettext_lazy("Mountain time"),
    "America/Yellowknife": gettext_lazy("Mountain time"),
    "America/Vancouver": gettext_lazy("Pacific time"),
    "America/Whitehorse": gettext_lazy("Yukon time"),
}


def in_french() -> bool:
    return (get_language() or "en").startswith("fr")


def zone_of(clinic_or_zone: object) -> ZoneInfo:
    """A ZoneInfo from a clinic (its ``time_zone``), a zone name or a ZoneInfo."""
    if isinstance(clinic_or_zone, ZoneInfo):
        return clinic_or_zone
    return ZoneInfo(str(getattr(clinic_or_zone, "time_zone", clinic_or_zone)))


def price(cents: int | None) -> str:
    """Canadian dollars as each language writes them: "$1,295.00" and "1 295,00 $"."""
    if cents is None:
        return ""
    dollars, rest = divmod(int(cents), 100)
    grouped = f"{dollars:,}"
    if in_french():
        return f"{grouped.replace(',', NARROW_NBSP)},{rest:02d}{NBSP}$"
    return f"${grouped}.{rest:02d}"


def _parse_phone(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, "CA")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def phone(value: str | None) -> str:
    """(416) 555-0100 for a North American number; the international form for others; as entered if unparseable."""
    number = _parse_phone(value or "")
    if number is None:
        return value or ""
    style = phonenumbers.PhoneNumberFormat.NATIONAL
    if number.country_code != 1:
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def phone_uri(value: str | None) -> str:
    """The ``tel:`` address to dial, or "" when there is no usable number (so no empty link is offered)."""
    number = _parse_phone(value or "")
    if number is None:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)


def clock(value: dt.time | None) -> str:
    """A time of day on a schedule: "8 a.m.", "5:30 p.m." in English; "8 h", "17 h 30" in Canadian French."""
    if value is None:
        return ""
    if in_french():
        return f"{value.hour}{NBSP}h" + (f"{NBSP}{value.minute:02d}" if value.minute else "")
    return time_format(value, "TIME_FORMAT")


def time_in_zone(moment: dt.datetime | None, zone: object) -> str:
    """The wall-clock time of a moment in the clinic's zone: "7:45 AM" / "7 h 45"."""
    if moment is None:
        return ""
    local = moment.astimezone(zone_of(zone))
    return dateformat.format(local, r"G \h i" if in_french() else "g:i A")


def date_in_zone(moment: dt.datetime | None, zone: object) -> str:
    """The day of a moment in the clinic's zone: "Thursday, December 3, 2026" / "jeudi 3 décembre 2026"."""
    if moment is None:
        return ""
    local = moment.astimezone(zone_of(zone))
    if in_french():
        return dateformat.format(local, "l j F Y").lower()  # French writes days and months in lower case
    return dateformat.format(local, "l, F j, Y")


def datetime_in_zone(moment: dt.datetime | None, zone: object) -> str:
    """Day and time in the clinic's zone: "Thursday, December 3, 2026, 7:45 AM" / "jeudi 3 décembre 2026, 7 h 45"."""
    if moment is None:
        return ""
    return f"{date_in_zone(moment, zone)}, {time_in_zone(moment, zone)}"


def zone_name(zone: object) -> str:
    """The zone's everyday name: "Eastern time", "Newfoundland time"; a zone not listed by its city."""
    key = zone_of(zone).key
    known = ZONE_NAMES.get(key)
    return str(known) if known is not None else key.rsplit("/", 1)[-1].replace("_", " ")


def with_zone(text: str, zone: object) -> str:
    """A time followed by the zone it is in: "7:45 AM (Eastern time)"."""
    return _("%(when)s (%(zone)s)") % {"when": text, "zone": zone_name(zone)}
