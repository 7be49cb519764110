"""Signing in to the portal (and to the admin, whose login sends here): email and password, throttled
(the rules are in ``portal.auth_services``); a TOTP code when the user turned it on; a recognised-device
cookie after a full sign-in; invitations; password reset limits; two-factor setup."""

from __future__ import annotations

import base64
import math
from datetime import timedelta
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from painhero.http import client_ip

from .auth_services import (
    DEVICE_MAX_AGE,
    InvitationInvalid,
    InvitationNeedsSignIn,
    SignInAttempt,
    device_recognises,
    device_token_for,
    invitation_accept,
    invitation_accept_signed_in,
    invitation_for_token,
    invitation_has_account,
    password_reset_allow,
    signin_attempt_begin,
    signin_attempt_passed,
    signin_completed,
    signin_password_check,
)
from .models import Membership

PENDING_USER = "portal_pending_user"  # session key: password checked, TOTP code still to come
DEVICE_COOKIE = "portal_device"  # signed: the accounts this browser completed a full sign-in for


class SignInForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("6-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("Enter the 6 digits your app shows.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Choose a password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=gettext_lazy("The same password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            raise ValidationError(_("The two passwords differ."))
        if data.get("password"):
            validate_password(data["password"])
        return data


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


def _confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def _sign_in(request: HttpRequest, user: Any, device: TOTPDevice | None = None) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    # Sliding expiry: SESSION_SAVE_EVERY_REQUEST pushes this forward on every request.
    request.session.set_expiry(settings.PORTAL_SESSION_AGE)


def _signed_in(request: HttpRequest, user: Any, target: str, *, recognised: bool, device: Any = None) -> HttpResponse:
    """A full sign-in: the session, the failures of this address forgotten, the browser recognised."""
    _sign_in(request, user, device)
    signin_completed(email=user.email, ip=client_ip(request), recognised=recognised)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        DEVICE_COOKIE,
        device_token_for(user=user, token=request.COOKIES.get(DEVICE_COOKIE)),
        max_age=int(DEVICE_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _throttled(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return ngettext(
        "Too many failed sign-ins. Try again in %(minutes)d minute, or reset your password.",
        "Too many failed sign-ins. Try again in %(minutes)d minutes, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


def _throttled_response(request: HttpRequest, template: str, context: dict[str, Any], wait: timedelta) -> HttpResponse:
    context["form"].add_error(None, _throttled(wait))
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(max(1, math.ceil(wait.total_seconds())))
    return response


def _attempt(request: HttpRequest, email: str) -> tuple[SignInAttempt, bool]:
    recognised = device_recognises(token=request.COOKIES.get(DEVICE_COOKIE), email=email)
    attempt = signin_attempt_begin(email=email, ip=client_ip(request), recognised=recognised, now=timezone.now())
    return attempt, recognised


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        attempt, recognised = _attempt(request, email)
        if attempt.throttled:
            return _throttled_response(request, "portal/sign_in.html", context, attempt.wait)
        user = signin_password_check(email=email, password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, _("The email or the password is wrong."))
            return render(request, "portal/sign_in.html", context, status=400)
        signin_attempt_passed(attempt=attempt)
        if _confirmed_device(user) is not None:
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session["portal_next"] = _next_url(request)
            return redirect("portal:sign_in_code")
        return _signed_in(request, user, _next_url(request), recognised=recognised)
    return render(request, "portal/sign_in.html", context, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    pending_id = request.session.get(PENDING_USER)
    user = get_user_model().objects.filter(pk=pending_id, is_active=True).first() if pending_id else None
    if user is None:
        return redirect("portal:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "portal/sign_in_code.html", {"form": form}, status=400)
        attempt, recognised = _attempt(request, user.email)
        if attempt.throttled:
            return _throttled_response(request, "portal/sign_in_code.html", {"form": form}, attempt.wait)
        code = form.cleaned_data["code"].strip()
        device = next(
            (d for d in TOTPDevice.objects.devices_for_user(user, confirmed=True) if d.verify_token(code)), None
        )
        if device is None:
            form.add_error("code", _("This code is wrong or too old; try the one your app shows now."))
            return render(request, "portal/sign_in_code.html", {"form": form}, status=400)
        signin_attempt_passed(attempt=attempt)
        target = request.session.pop("portal_next", reverse("portal:home"))
        request.session.pop(PENDING_USER, None)
        return _signed_in(request, user, target, recognised=recognised, device=device)
    return render(request, "portal/sign_in_code.html", {"form": form})


def _is_verified(request: HttpRequest) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def _invitation_for_account(request: HttpRequest, token: str, invitation: Any) -> HttpResponse:
    """The invited email has an account: only that account, signed in (with its code where it has one),
    accepts, and it joins the inviting clinic only. Nothing here touches a password."""
    user = request.user
    context: dict[str, Any] = {"invitation": invitation, "sign_in_url": None}
    if not user.is_authenticated:
        state, status = "sign_in", 200
    elif (user.email or "").strip().lower() != invitation.email:
        state, status = "other_account", 403
    elif _confirmed_device(user) is not None and not _is_verified(request):
        state, status = "second_factor", 403
    else:
        state, status = "ready", 200
    if state in ("sign_in", "second_factor"):
        context["sign_in_url"] = f"{reverse('portal:login')}?next={request.path}"
    if request.method == "POST":
        if state != "ready":
            status = 403
        else:
            try:
                membership = invitation_accept_signed_in(
                    token=token, user=user, second_factor_verified=_is_verified(request), now=timezone.now()
                )
            except InvitationInvalid:
                return render(request, "portal/invitation_invalid.html", status=404)
            messages.success(request, _("Welcome to %(clinic)s.") % {"clinic": invitation.clinic.name})
            return redirect("portal:today", membership.clinic_id)
    context["state"] = state
    return render(request, "portal/invitation_join.html", context, status=status)


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    invitation = invitation_for_token(token=token, now=now)
    if invitation is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    if invitation_has_account(invitation=invitation):
        return _invitation_for_account(request, token, invitation)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = invitation_accept(token=token, password=form.cleaned_data["password"], now=now)
            except InvitationNeedsSignIn:
                return redirect("portal:invitation", token)
            except InvitationInvalid:
                return render(request, "portal/invitation_invalid.html", status=404)
            _sign_in(request, user)
            messages.success(request, _("Welcome to %(clinic)s.") % {"clinic": invitation.clinic.name})
            return redirect("portal:today", invitation.clinic_id)
        return render(request, "portal/invitation_accept.html", {"form": form, "invitation": invitation}, status=400)
    return render(request, "portal/invitation_accept.html", {"form": form, "invitation": invitation})


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, at most 3 emails per address and 10 per client address an hour
    (``password_reset_allow``). Past the limit nothing is sent and the answer is the same "if the address
    exists, a link is on its way" page, so it reveals neither the account nor the limit."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        if not password_reset_allow(email=email, ip=client_ip(self.request), now=timezone.now()):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


def admin_login(request: HttpRequest, *, site: Any) -> HttpResponse:
    """The admin's login page: network staff sign in through the portal's throttled, two-factor flow.
    A staff member signed in without the second factor the admin needs is sent to turn it on or to use it."""
    target = request.GET.get("next") or reverse("admin:index", current_app=site.name)
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index", current_app=site.name)
    user = request.user
    if user.is_authenticated and site.has_permission(request):
        return HttpResponseRedirect(target)
    if user.is_authenticated and user.is_active and user.is_staff:
        if _confirmed_device(user) is None:
            messages.info(request, _("The admin needs two-factor sign-in: turn it on here, then open the admin again."))
            return redirect("portal:account")
        messages.info(request, _("Sign in again with your code to open the admin."))
    return redirect_to_login(target, reverse("portal:login"))


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#0b2545")


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in: start (an unconfirmed device), confirm with a code, or turn it off."""
    user = request.user  # signed in: @login_required
    confirmed = _confirmed_device(user)
    form = CodeForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        with transaction.atomic():
            if action == "disable" and confirmed is not None and confirmed.verify_token(code):
                TOTPDevice.objects.filter(user=user).delete()
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("portal:account")
            pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
            if action == "confirm" and pending is not None and pending.verify_token(code):
                pending.confirmed = True
                pending.save(update_fields=["confirmed"])
                otp_login(request, pending)
                messages.success(request, _("Two-factor sign-in is on: we will ask for a code at each sign-in."))
                return redirect("portal:account")
        form.add_error("code", _("This code is wrong or too old; try the one your app shows now."))
    pending = None
    if confirmed is None:
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="portal", confirmed=False
        )
    context: dict[str, Any] = {"form": form, "confirmed": confirmed, "pending": pending}
    if pending is not None:
        context["otp_uri"] = pending.config_url
        context["otp_secret"] = base64.b32encode(pending.bin_key).decode()
        context["otp_qr"] = _qr_svg(pending.config_url)
    context["memberships"] = list(Membership.objects.filter(user_id=user.pk or 0).select_related("clinic"))
    return render(request, "portal/account.html", context, status=400 if form.errors else 200)
