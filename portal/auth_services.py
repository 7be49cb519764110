"""Sign-in throttling, staff invitations and the practitioner calendar feeds' secrets (writes and reads)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from clinics.models import Clinic, Practitioner

from .models import INVITATION_LIFETIME, CalendarFeed, Invitation, Membership, Role, SignInFailure

# Five wrong passwords in a quarter of an hour, for one email or from one address, and the door shuts
# for the rest of that quarter: enough for typos, far too few for guessing.
SIGN_IN_LIMIT = 5
SIGN_IN_WINDOW = timedelta(minutes=15)


class InvitationInvalid(Exception):
    pass


def email_normalize(email: str) -> str:
    return email.strip().lower()


def signin_is_throttled(*, email: str, ip: str | None, now: datetime) -> bool:
    recent = SignInFailure.objects.filter(at__gt=now - SIGN_IN_WINDOW)
    if recent.filter(email=email_normalize(email)).count() >= SIGN_IN_LIMIT:
        return True
    return ip is not None and recent.filter(ip=ip).count() >= SIGN_IN_LIMIT


def signin_failure_record(*, email: str, ip: str | None, now: datetime) -> None:
    with transaction.atomic():
        SignInFailure.objects.create(email=email_normalize(email)[:254], ip=ip, at=now)
        # Old rows are worthless once out of the window; trim them as we go.
        SignInFailure.objects.filter(at__lt=now - SIGN_IN_WINDOW * 4).delete()


def signin_failures_clear(*, email: str) -> None:
    SignInFailure.objects.filter(email=email_normalize(email)).delete()


def user_for_email(*, email: str) -> AbstractBaseUser | None:
    return get_user_model().objects.filter(email__iexact=email_normalize(email), is_active=True).first()


def invitation_create(
    *,
    clinic: Clinic,
    email: str,
    role: str,
    practitioner: Practitioner | None,
    invited_by: AbstractBaseUser,
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
            "Choose your password here (the link works once and expires in 7 days):\n%(url)s\n"
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


def invitation_accept(*, token: str, password: str, now: datetime) -> AbstractBaseUser:
    """Create (or reuse) the user, set the password, add the membership; the token is spent."""
    user_model = get_user_model()
    with transaction.atomic():
        spent = Invitation.objects.filter(token=token, accepted_at__isnull=True, expires_at__gt=now).update(
            accepted_at=now
        )
        if not spent:  # the conditional UPDATE is the guard: two clicks, one acceptance
            raise InvitationInvalid(_("This invitation has expired or was already used."))
        invitation = Invitation.objects.get(token=token)
        user = user_model.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            user = user_model(username=invitation.email, email=invitation.email, is_staff=False)
        user.set_password(password)
        user.save()
        Membership.objects.update_or_create(
            user=user,
            clinic_id=invitation.clinic_id,
            defaults={"role": invitation.role, "practitioner_id": invitation.practitioner_id},
        )
    return user


def calendar_feed_get(*, practitioner: Practitioner) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(practitioner=practitioner)
    return feed


def calendar_feed_reissue(*, practitioner: Practitioner) -> CalendarFeed:
    """A new secret: the old URL stops working at once."""
    with transaction.atomic():
        CalendarFeed.objects.filter(practitioner=practitioner).delete()
        return CalendarFeed.objects.create(practitioner=practitioner)
