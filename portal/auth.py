"""Signing in to the portal: email and password, throttled; a TOTP code when the user turned it on;
invitations; two-factor setup. Password reset is Django's own views (see ``urls_day``)."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import client_ip
from .auth_services import (
    InvitationInvalid,
    invitation_accept,
    invitation_for_token,
    signin_failure_record,
    signin_failures_clear,
    signin_is_throttled,
    user_for_email,
)

PENDING_USER = "portal_pending_user"  # session key: password checked, TOTP code still to come
THROTTLED = gettext_lazy("Too many failed sign-ins. Wait 15 minutes, or reset your password.")


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
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
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


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email, ip, now = form.cleaned_data["email"], client_ip(request), timezone.now()
        if signin_is_throttled(email=email, ip=ip, now=now):
            form.add_error(None, THROTTLED)
            status = 429
        else:
            found = user_for_email(email=email)
            user = (
                authenticate(request, username=found.get_username(), password=form.cleaned_data["password"])
                if found is not None
                else None
            )
            if user is None:
                signin_failure_record(email=email, ip=ip, now=now)
                form.add_error(None, _("The email or the password is wrong."))
                status = 400
            else:
                signin_failures_clear(email=email)
                if _confirmed_device(user) is not None:
                    request.session.cycle_key()
                    request.session[PENDING_USER] = user.pk
                    request.session["portal_next"] = _next_url(request)
                    return redirect("portal:sign_in_code")
                _sign_in(request, user)
                return HttpResponseRedirect(_next_url(request))
    elif request.method == "POST":
        status = 400
    return render(request, "portal/sign_in.html", {"form": form, "next": request.GET.get("next", "")}, status=status)


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = get_user_model().objects.filter(pk=request.session.get(PENDING_USER), is_active=True).first()
    if user is None:
        return redirect("portal:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        now, ip = timezone.now(), client_ip(request)
        if signin_is_throttled(email=user.email, ip=ip, now=now):
            form.add_error(None, THROTTLED)
            status = 429
        elif form.is_valid():
            code = form.cleaned_data["code"].strip()
            device = next(
                (d for d in TOTPDevice.objects.devices_for_user(user, confirmed=True) if d.verify_token(code)), None
            )
            if device is not None:
                target = request.session.pop("portal_next", reverse("portal:home"))
                request.session.pop(PENDING_USER, None)
                _sign_in(request, user, device)
                return HttpResponseRedirect(target)
            signin_failure_record(email=user.email, ip=ip, now=now)
            form.add_error("code", _("This code is wrong or too old; try the one your app shows now."))
    return render(request, "portal/sign_in_code.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    invitation = invitation_for_token(token=token, now=now)
    if invitation is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = invitation_accept(token=token, password=form.cleaned_data["password"], now=now)
            except InvitationInvalid:
                return render(request, "portal/invitation_invalid.html", status=404)
            _sign_in(request, user)
            messages.success(request, _("Welcome to %(clinic)s.") % {"clinic": invitation.clinic.name})
            return redirect("portal:today", invitation.clinic_id)
        return render(request, "portal/invitation_accept.html", {"form": form, "invitation": invitation}, status=400)
    return render(request, "portal/invitation_accept.html", {"form": form, "invitation": invitation})


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#0b2545")


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in: start (an unconfirmed device), confirm with a code, or turn it off."""
    user = request.user
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
    context["memberships"] = list(user.memberships.select_related("clinic"))
    return render(request, "portal/account.html", context, status=400 if form.errors else 200)
