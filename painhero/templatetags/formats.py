"""Template side of ``painhero.formats``: ``{% load formats %}`` then
``{{ service.price_cents|price }}``, ``{{ phone|phone }}``, ``{{ phone|phone_uri }}``, ``{{ opens|clock }}``,
``{{ start|time_in:clinic }}``, ``{{ start|datetime_in:clinic }}``, ``{{ clinic|zone_name }}``."""

from __future__ import annotations

from django import template

from painhero import formats

register = template.Library()

register.filter("price", formats.price)
register.filter("phone", formats.phone)
register.filter("phone_uri", formats.phone_uri)
register.filter("clock", formats.clock)
register.filter("time_in", formats.time_in_zone)
register.filter("date_in", formats.date_in_zone)
register.filter("datetime_in", formats.datetime_in_zone)
register.filter("zone_name", formats.zone_name)
