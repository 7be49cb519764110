"""Sign-in throttling, recognised devices, password-reset limits, staff invitations and the practitioner
calendar feeds' secrets (writes and reads).

The sign-in throttle (every rule counts rows of ``SignInFailure`` of the last hour, so every worker
process counts the same; wrong TOTP codes count like wrong passwords):

- **Per email and address**: 5 free failures, then a backoff: each further try waits 30 s, 1 min,
  2 min, ... (capped at 15 min) after the last failure. Someone mistyping from their own computer is
  slowed for a moment; a guesser on one address gets a handful of tries an hour.
- **Per email, over every address**: past 20 failures the same backoff, so a botnet gains little
  from having many addresses against one account.
- **Per address, over many emails (spraying)**: failures against 10 or more different emails from one
  address put that address into the same backoff for every email.
- **A recognised device gets through**: a browser that completed a full sign-in (password and, where
  turned on, the code) for this account carries a signed cookie (``device_token_for``) tied to the
  account and its current password. Its tries are counted apart and only they can slow it, so
  nobody who lacks that cookie can lock the real person out, even on a shared office address: the
  email and spray rules above slow only browsers the account has never signed in from. The cookie
  never skips the second factor and stops working when the password changes.
- The throttle answers before any password is checked, the same for known and unknown emails; an
  unknown email runs the password hasher like a known one (``signin_password_check``), so neither the
  answer nor its timing says which emails have accounts.
- Concurrency: each try is written first (its own committed row) and the rules then count every
  *other* row, so a burst of parallel tries sees itself and is throttled as a whole, never waved
  through together. A throttled try is deleted again: waiting it out is never made longer by
  pressing the button.

Password reset emails: at most 3 per address and 10 per client address per hour, counted the same
way, and never one past the limit; the page answered is the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinics.models import Clinic, Practitioner

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from .models import INVITATION_LIFETIME, CalendarFeed, Invitation, Membership, Role, SignInFailure

SIGN_IN_WINDOW = timedelta(hours=1)  # failures older than this are forgotten
PAIR_FREE = 5  # failures per email and address before the backoff starts
EMAIL_FREE = 20  # failures per email over all addresses
SPRAY_EMAILS = 10  # different emails failed from one address
DEVICE_FREE = 5  # failures from a recognised device for its account
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=15)

RESET_WINDOW = timedelta(hours=1)
RESET_PER_EMAIL = 3
RESET_PER_IP = 10

DEVICE_MAX_AGE = timedelta(days=90)
DEVICE_SALT = "portal.recognised-device"
DEVICES_PER_BROWSER = 5  # a shared front-desk computer remembers this many accounts


class InvitationInvalid(Exception):
    pass


class InvitationNeedsSignIn(InvitationInvalid):
    """The invited email has an account: only that account, signed in, can accept."""


def email_normalize(email: str) -> str:
    return email.strip().lower()


# --- Sign-in throttle --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInAttempt:
    """A try in progress: its row, and how long it must wait (zero: go ahead)."""

    pk: int
    wait: timedelta

    @property
    def throttled(self) -> bool:
        return self.wait > timedelta(0)


def _backoff(failures: models.QuerySet[SignInFailure], *, free: int, now: datetime) -> timedelta:
    stats = failures.aggregate(count=models.Count("pk"), last=models.Max("at"))
    count, last = stats["count"], stats["last"]
    if count < free or last is None:
        return timedelta(0)
    delay = min(BACKOFF_FIRST * 2 ** min(count - free, 16), BACKOFF_CAP)
    return max(last + delay - now, timedelta(0))


def signin_wait(
    *, email: str, ip: str | None, recognised: bool, now: datetime, exclude_pk: int | None = None
) -> timedelta:
    """How long this try must wait under the rules in this module's docstring (zero: not throttled)."""
    recent = SignInFailure.objects.filter(kind=SignInFailure.Kind.SIGN_IN, at__gt=now - SIGN_IN_WINDOW)
    if exclude_pk is not None:
        recent = recent.exclude(pk=exclude_pk)
    mine = recent.filter(email=email_normalize(email))
    if recognised:
        return _backoff(mine.filter(recognised=True), free=DEVICE_FREE, now=now)
    strangers = mine.filter(recognised=False)
    waits = [
        _backoff(strangers.filter(ip=ip), free=PAIR_FREE, now=now),
        _backoff(strangers, free=EMAIL_FREE, now=now),
    ]
    if ip is not None:
        from_ip = recent.filter(ip=ip, recognised=False)
        sprayed = from_ip.values("email").distinct().count()
        last = from_ip.aggregate(last=models.Max("at"))["last"]
        if sprayed >= SPRAY_EMAILS and last is not None:
            delay = min(BACKOFF_FIRST * 2 ** min(sprayed - SPRAY_EMAILS, 16), BACKOFF_CAP)
            waits.append(max(last + delay - now, timedelta(0)))
    return max(waits)


def signin_attempt_begin(*, email: str, ip: str | None, recognised: bool, now: datetime) -> SignInAttempt:
    """Write the try down (as a failure until it succeeds), then ask the throttle; a throttled try is
    forgotten at once. Call it outside any transaction: the row must be visible to parallel tries."""
    row = SignInFailure.objects.create(
        kind=SignInFailure.Kind.SIGN_IN, email=email_normalize(email)[:254], ip=ip, at=now, recognised=recognised
    )
    wait = signin_wait(email=email, ip=ip, recognised=recognised, now=now, exclude_pk=row.pk)
    if wait:
        SignInFailure.objects.filter(pk=row.pk).delete()
    else:
        # Old rows are worthless once out of the window; trim them as we go.
        SignInFailure.objects.filter(at__lt=now - 2 * max(SIGN_IN_WINDOW, RESET_WINDOW)).delete()
    return SignInAttempt(pk=row.pk, wait=wait)


def signin_attempt_passed(*, attempt: SignInAttempt) -> None:
    """The password (or code) was right: this try is not a failure."""
    SignInFailure.objects.filter(pk=attempt.pk).delete()


def signin_completed(*, email: str, ip: str | None, recognised: bool) -> None:
    """A full sign-in (password and code): forget this address's (and this device's) failures for the
    account. Other addresses' failures stay: a guesser elsewhere gains nothing from the real person's
    sign-in."""
    mine = SignInFailure.objects.filter(kind=SignInFailure.Kind.SIGN_IN, email=email_normalize(email))
    condition = models.Q(ip=ip, recognised=False)
    if recognised:
        condition |= models.Q(recognised=True)
    mine.filter(condition).delete()


def user_for_email(*, email: str) -> AbstractBaseUser | None:
    return get_user_model().objects.filter(email__iexact=email_normalize(email), is_active=True).first()


def signin_password_check(*, email: str, password: str) -> AbstractBaseUser | None:
    """The active user with this email and password, or None. An unknown email costs one run of the
    password hasher too (as Django's ModelBackend does), so the answer's timing gives nothing away."""
    user = user_for_email(email=email)
    if user is None or not user.has_usable_password():
        make_password(password)
        return None
    return user if user.check_password(password) else None


def user_has_second_factor(*, user: Any) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


# --- Recognised devices ------------------------------------------------------------------------------


def _device_fingerprint(user: Any) -> str:
    # Tied to the password hash: a password change (or reset) forgets every recognised device.
    return salted_hmac(DEVICE_SALT, f"{user.pk}:{user.password}").hexdigest()[:32]


def _device_entries(token: str | None) -> list[list[Any]]:
    if not token:
        return []
    try:
        entries = signing.loads(token, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    return [e for e in entries if isinstance(e, list) and len(e) == 2] if isinstance(entries, list) else []


def device_token_for(*, user: Any, token: str | None) -> str:
    """The cookie value after a full sign-in: this account added to the accounts the browser has."""
    entries = [e for e in _device_entries(token) if e[0] != user.pk]
    entries.append([user.pk, _device_fingerprint(user)])
    return signing.dumps(entries[-DEVICES_PER_BROWSER:], salt=DEVICE_SALT)


def device_recognises(*, token: str | None, email: str) -> bool:
    """Whether the browser's cookie says it completed a full sign-in for this email's account."""
    entries = _device_entries(token)
    if not entries:
        return False
    user = user_for_email(email=email)
    if user is None:
        return False
    return any(e[0] == user.pk and constant_time_compare(str(e[1]), _device_fingerprint(user)) for e in entries)


# --- Password reset limits ---------------------------------------------------------------------------


def password_reset_allow(*, email: str, ip: str | None, now: datetime) -> bool:
    """Whether a reset email may go to this address now (and count it if so). Written first, then
    counted with every parallel request, so the limit is never passed, even by a burst."""
    row = SignInFailure.objects.create(kind=SignInFailure.Kind.RESET, email=email_normalize(email)[:254], ip=ip, at=now)
    recent = SignInFailure.objects.filter(kind=SignInFailure.Kind.RESET, at__gt=now - RESET_WINDOW)
    over = recent.filter(email=row.email).count() > RESET_PER_EMAIL or (
        ip is not None and recent.filter(ip=ip).count() > RESET_PER_IP
    )
    if over:
        SignInFailure.objects.filter(pk=row.pk).delete()
    return not over


# --- Invitations -------------------------------------------------------------------------------------


def invitation_create(
    *,
    clinic: Clinic,
    email: str,
    role: str,
    practitioner: Practitioner | None,
    invited_by: User,
    now: datetime,
    accept_url_for: object,
) -> Invitation:
    """Invite someone to a clinic's staff; the email carries a link that works once, for 7 days."""
    if role == Role.PRACTITIONER and (practitioner is None or practitioner.clinic_id != clinic.pk):
        raise ValueError(_("Choose the practitioner this person is."))
    if role != Role.PRACTITIONER:
        practitioner = None
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email_normalize(email),
            clinic=clinic,
            role=role,
            practitioner=practitioner,
            invited_by=invited_by,
            expires_at=now + INVITATION_LIFETIME,
        )
        url = accept_url_for(invitation)  # type: ignore[operator]
        subject = _("You are invited to %(clinic)s on PainHero") % {"clinic": clinic.name}
        body = _(
            "%(clinic)s invites you to its PainHero clinic portal as %(role)s.\n\n"
            "Accept here (the link works once and expires in 7 days):\n%(url)s\n"
        ) % {"clinic": clinic.name, "role": invitation.get_role_display(), "url": url}
        # After commit: no email for an invitation that rolled back.
        transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))
    return invitation


def invitation_for_token(*, token: str, now: datetime) -> Invitation | None:
    return (
        Invitation.objects.select_related("clinic")
        .filter(token=token, accepted_at__isnull=True, expires_at__gt=now)
        .first()
    )


def _accounts_for_email(email: str) -> models.QuerySet[Any]:
    email = email_normalize(email)
    return get_user_model().objects.filter(models.Q(email__iexact=email) | models.Q(username__iexact=email))


def invitation_has_account(*, invitation: Invitation) -> bool:
    """Whether the invited email already has an account (active or not): then the link never sets a
    password; only that account, signed in, accepts."""
    return _accounts_for_email(invitation.email).exists()


def _invitation_spend(*, token: str, now: datetime) -> Invitation:
    spent = Invitation.objects.filter(token=token, accepted_at__isnull=True, expires_at__gt=now).update(accepted_at=now)
    if not spent:  # the conditional UPDATE is the guard: two clicks, one acceptance
        raise InvitationInvalid(_("This invitation has expired or was already used."))
    return Invitation.objects.get(token=token)


def invitation_accept(*, token: str, password: str, now: datetime) -> AbstractBaseUser:
    """A new person: create their account with the password they chose, add the membership; the token is
    spent. An email that already has an account is refused (``InvitationNeedsSignIn``): an invitation never
    sets the password of an existing account."""
    user_model = get_user_model()
    try:
        with transaction.atomic():
            invitation = _invitation_spend(token=token, now=now)
            if _accounts_for_email(invitation.email).exists():
                raise InvitationNeedsSignIn(_("Sign in to your account to accept this invitation."))
            user = user_model(username=invitation.email, email=invitation.email, is_staff=False)
            user.set_password(password)
            user.save()
            Membership.objects.create(
                user=user,
                clinic_id=invitation.clinic_id,
                role=invitation.role,
                practitioner_id=invitation.practitioner_id,
            )
    except IntegrityError:  # an account for this email appeared meanwhile
        raise InvitationNeedsSignIn(_("Sign in to your account to accept this invitation.")) from None
    return user


def invitation_accept_signed_in(*, token: str, user: Any, second_factor_verified: bool, now: datetime) -> Membership:
    """An existing account accepts: it must be the invited email's account, signed in, and verified with
    its second factor where it has one. It joins the inviting clinic only; its password is untouched."""
    with transaction.atomic():
        invitation = _invitation_spend(token=token, now=now)
        if not user.is_authenticated or email_normalize(user.email or "") != invitation.email:
            raise InvitationInvalid(_("This invitation is for another account."))
        if user_has_second_factor(user=user) and not second_factor_verified:
            raise InvitationInvalid(_("Sign in with your code to accept this invitation."))
        membership, _created = Membership.objects.update_or_create(
            user=user,
            clinic_id=invitation.clinic_id,
            defaults={"role": invitation.role, "practitioner_id": invitation.practitioner_id},
        )
    return membership


# --- Calendar feeds ----------------------------------------------------------------------------------


def calendar_feed_get(*, practitioner: Practitioner) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(practitioner=practitioner)
    return feed


def calendar_feed_reissue(*, practitioner: Practitioner) -> CalendarFeed:
    """A new secret: the old URL stops working at once."""
    with transaction.atomic():
        CalendarFeed.objects.filter(practitioner=practitioner).delete()
        return CalendarFeed.objects.create(practitioner=practitioner)
