"""Formatting for the patient pages: prices, phone numbers, labels and the other language's URL."""

from __future__ import annotations

import datetime
from typing import Any

import phonenumbers
from django import template
from django.urls import translate_url
from django.utils.formats import date_format
from django.utils.translation import get_language

from clinics.models import Discipline

register = template.Library()

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


def _in_french() -> bool:
    return (get_language() or "en").startswith("fr")


@register.filter
def money(cents: int | None) -> str:
    """Canadian dollars as each language writes them: "$1,295.00" and "1 295,00 $"."""
    if cents is None:
        return ""
    dollars, rest = divmod(int(cents), 100)
    grouped = f"{dollars:,}"
    if _in_french():
        return f"{grouped.replace(',', NARROW_NBSP)},{rest:02d}{NBSP}$"
    return f"${grouped}.{rest:02d}"


def _parse_phone(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, "CA")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


@register.filter
def phone_national(value: str) -> str:
    """(416) 555-0100 for a Canadian number; the international form for others; as entered if unparseable."""
    number = _parse_phone(value or "")
    if number is None:
        return value
    style = phonenumbers.PhoneNumberFormat.NATIONAL
    if number.country_code != 1:
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


@register.filter
def phone_uri(value: str) -> str:
    number = _parse_phone(value or "")
    if number is None:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)


@register.filter
def clock(value: datetime.time | None) -> str:
    """A time of day as people write it: "8 a.m.", "5:30 p.m." in English; "8 h", "17 h 30" in Canadian French."""
    if value is None:
        return ""
    if _in_french():
        return f"{value.hour}{NBSP}h" + (f"{NBSP}{value.minute:02d}" if value.minute else "")
    return date_format(value, "TIME_FORMAT")


@register.filter
def discipline_label(value: str) -> str:
    return str(Discipline(value).label) if value in Discipline.values else value


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key)


@register.simple_tag(takes_context=True)
def other_language(context: template.Context) -> dict[str, str]:
    """The language a visitor can switch to, with this page's address in it."""
    request = context.get("request")
    code, name = ("en", "English") if _in_french() else ("fr", "Français")
    path = request.get_full_path() if request is not None else "/"
    return {"code": code, "name": name, "url": translate_url(path, code)}
