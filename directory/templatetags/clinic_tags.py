"""Formatting for the patient pages: prices, phone numbers, labels and the other language's URL."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import translate_url

from clinics.models import Discipline
from painhero import formats

register = template.Library()

# Prices, phones and times are written by ``painhero.formats`` (one formatter per kind of value); these are
# the names the patient pages already use for them.
register.filter("money", formats.price)
register.filter("phone_national", formats.phone)
register.filter("phone_uri", formats.phone_uri)
register.filter("clock", formats.clock)
money, phone_national, phone_uri, clock = formats.price, formats.phone, formats.phone_uri, formats.clock


def _in_french() -> bool:
    return formats.in_french()


@register.filter
def offers_free_consultation(services: Any) -> bool:
    """Whether any of these services is a free consultation (its conditions are then stated beside them)."""
    return any(getattr(service, "is_free_consultation", False) for service in services or ())


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
