"""The portal header's data: the clinic switcher's list and the nav links that may not exist yet."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

from portal.models import Membership

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_memberships(context: template.Context) -> list[Membership]:
    request: HttpRequest | None = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return list(Membership.objects.for_user(request.user))


@register.simple_tag(takes_context=True)
def portal_membership(context: template.Context) -> Membership | None:
    """The membership of the page: the view's ``membership`` or the one ``portal_view`` put on the request."""
    membership = context.get("membership")
    if membership is None and context.get("request") is not None:
        membership = getattr(context["request"], "portal_membership", None)
    return membership
