"""The clinic's scheduling software: its SMART feed (address, mapping, last poll, line errors) and API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from clinics.models import Practitioner
from interop.models import SOURCE_LENGTH, ApiToken, FeedSubscription
from interop.polling import feed_poll_now
from painhero.http import client_ip
from portal.access import OWNER_ONLY, portal_view
from portal.models import Membership
from portal.services import interop as services


class FeedUrlForm(forms.Form):
    manifest_url = forms.URLField(
        label=gettext_lazy("Address of your software's $bulk-publish manifest"),
        max_length=SOURCE_LENGTH,
        assume_scheme="https",
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the new token"), max_length=100)


def _page(request: HttpRequest, membership: Membership, **extra: object) -> HttpResponse:
    subscription = FeedSubscription.objects.filter(clinic_id=membership.clinic_id).first()
    practitioners = list(Practitioner.objects.filter(clinic_id=membership.clinic_id, is_active=True).order_by("pk"))
    saved = subscription.schedule_map if subscription else {}
    rows = [
        {**schedule, "chosen": saved.get(schedule["id"])}
        for schedule in (subscription.last_schedules if subscription else [])
    ]
    context = {
        "membership": membership,
        "subscription": subscription,
        "locations": subscription.last_locations if subscription else [],
        "url_form": extra.pop("url_form", None)
        or FeedUrlForm(initial={"manifest_url": subscription.manifest_url if subscription else ""}),
        "token_form": extra.pop("token_form", None) or TokenForm(),
        "rows": rows,
        "practitioners": practitioners,
        "tokens": ApiToken.objects.filter(clinic_id=membership.clinic_id).order_by("-created_at"),
        **extra,
    }
    return render(request, "portal/interop/page.html", context, status=400 if extra.get("bad") else 200)


@portal_view(roles=OWNER_ONLY)
@require_GET
def interop_page(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    return _page(request, membership)


@portal_view(roles=OWNER_ONLY)
@require_POST
def feed_url_set(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    form = FeedUrlForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, url_form=form, bad=True)
    services.feed_url_set(
        actor=membership, manifest_url=form.cleaned_data["manifest_url"], ip=client_ip(request), now=timezone.now()
    )
    messages.success(request, _("Saved. Fetch the feed to see its schedules."))
    return redirect("portal:interop", clinic_id)


@portal_view(roles=OWNER_ONLY)
@require_POST
def feed_fetch(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    subscription = FeedSubscription.objects.filter(clinic_id=membership.clinic_id).first()
    if subscription is None:
        raise Http404
    if not feed_poll_now(subscription, now=timezone.now()):
        messages.info(request, _("The feed was read less than a minute ago; try again in a minute."))
    return redirect("portal:interop", clinic_id)


@portal_view(roles=OWNER_ONLY)
@require_POST
def feed_mapping_set(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    subscription = FeedSubscription.objects.filter(clinic_id=membership.clinic_id).first()
    if subscription is None:
        raise Http404
    allowed = set(
        Practitioner.objects.filter(clinic_id=membership.clinic_id, is_active=True).values_list("pk", flat=True)
    )
    location = request.POST.get("location", "")
    if location and location not in {loc["id"] for loc in subscription.last_locations}:
        messages.error(request, _("Choose one of the Locations of the last fetch, or the automatic choice."))
        return _page(request, membership, bad=True)
    mapping: dict[str, int] = {}
    for schedule in subscription.last_schedules:
        raw = request.POST.get(f"schedule-{schedule['id']}", "")
        if not raw:
            continue  # mapped by discipline
        if not raw.isdigit() or int(raw) not in allowed:
            messages.error(request, _("Choose one of the clinic's practitioners for %(id)s.") % {"id": schedule["id"]})
            return _page(request, membership, bad=True)
        mapping[schedule["id"]] = int(raw)
    services.feed_mapping_set(
        actor=membership, location_id=location, schedule_map=mapping, ip=client_ip(request), now=timezone.now()
    )
    messages.success(request, _("Mapping saved: the next fetch uses it."))
    return redirect("portal:interop", clinic_id)


@portal_view(roles=OWNER_ONLY)
@require_POST
def api_token_create(request: HttpRequest, clinic_id: int, *, membership: Membership) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, token_form=form, bad=True)
    _token, raw = services.api_token_create(
        actor=membership, name=form.cleaned_data["name"], ip=client_ip(request), now=timezone.now()
    )
    # Shown once, in this answer to the POST only: never stored, never in a URL.
    response = _page(request, membership, new_token=raw)
    response["Cache-Control"] = "no-store"
    return response


@portal_view(roles=OWNER_ONLY)
@require_POST
def api_token_revoke(request: HttpRequest, clinic_id: int, apitoken_id: int, *, membership: Membership) -> HttpResponse:
    token = ApiToken.objects.filter(clinic_id=membership.clinic_id, pk=apitoken_id).first()
    if token is None:
        raise Http404
    services.api_token_revoke(actor=membership, token=token, ip=client_ip(request), now=timezone.now())
    messages.success(request, _("The token no longer works."))
    return redirect("portal:interop", clinic_id)
