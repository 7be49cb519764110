"""What an app above booking attaches to an appointment as it is booked, without booking importing it.

patients sits above booking, yet a booking that carries an intake must check it (DESIGN.md invariant 9: an
emergency intake never leads to a booking; an urgent one only after the recorded clearance) and link it in the
same transaction, so that a refused intake leaves no appointment and a failed booking links no intake. So
patients registers its attacher here once, in ``PatientsConfig.ready()``, and ``appointment_book`` calls it
inside its transaction (as clinics.hooks does for the catalogue). An attacher refuses by raising a
``booking.errors.BookingError`` whose message is safe to show.

The same way, an app listens to every booking, move and cancellation (``appointment_change_register``): booking's
``_record`` tells the listeners inside the change's transaction, so what they write commits or rolls back with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from django.utils.translation import gettext as _

from booking.errors import NotBookable
from booking.models import Appointment, AppointmentSeries


class IntakeAttacher(Protocol):
    """Check the intake behind ``token`` and link it to ``appointment`` (inside the booking's transaction)."""

    def __call__(self, *, appointment: Appointment, token: str, now: datetime) -> object: ...


# Where a web booking finds the intake it carries: the app above puts the intake's secret token in the patient's
# session under this key (on a POST: "Book a free consultation"), and the booking form sends it along.
SESSION_INTAKE_TOKEN = "booking_intake_token"  # noqa: S105 (a session key, not a secret)


class IntakeRefused(NotBookable):
    """The intake a booking carries cannot lead to this booking (unknown, emergency, urgent without clearance)."""


_attachers: list[IntakeAttacher] = []


def intake_attacher_register(attacher: IntakeAttacher) -> None:
    """Registering the same attacher again changes nothing (``ready()`` may rerun)."""
    if attacher not in _attachers:
        _attachers.append(attacher)


def intake_attach(*, appointment: Appointment, token: str, now: datetime) -> None:
    """Run every registered attacher; with none registered, an intake cannot be carried (refused, not dropped)."""
    if not _attachers:
        raise NotBookable(_("intake_token: intakes cannot be attached to bookings here."))
    for attacher in _attachers:
        attacher(appointment=appointment, token=token, now=now)


class SeriesAttacher(Protocol):
    """Link the care plan behind ``token`` to ``series`` (inside the series' transaction), or refuse it."""

    def __call__(self, *, series: AppointmentSeries, token: str, now: datetime) -> object: ...


_series_attachers: list[SeriesAttacher] = []


def series_attacher_register(attacher: SeriesAttacher) -> None:
    """Registering the same attacher again changes nothing (``ready()`` may rerun)."""
    if attacher not in _series_attachers:
        _series_attachers.append(attacher)


def series_attach(*, series: AppointmentSeries, token: str, now: datetime) -> None:
    """Run every registered attacher (patients links its care plan); with none, a plan cannot be carried."""
    if not _series_attachers:
        raise NotBookable(_("care_plan_token: care plans cannot be attached to bookings here."))
    for attacher in _series_attachers:
        attacher(series=series, token=token, now=now)


class AppointmentChanged(Protocol):
    """Told of an appointment's change inside its transaction: ``kind`` is the event's (``EventKind``: created,
    rescheduled, cancelled), ``old_start`` the time it left (a move). Raising rolls the change back."""

    def __call__(self, *, appointment: Appointment, kind: str, old_start: datetime | None, now: datetime) -> object: ...


_change_listeners: list[AppointmentChanged] = []


def appointment_change_register(listener: AppointmentChanged) -> None:
    """Run ``listener`` on every booking, move and cancellation; registering it again changes nothing."""
    if listener not in _change_listeners:
        _change_listeners.append(listener)


def appointment_changed(*, appointment: Appointment, kind: str, old_start: datetime | None, now: datetime) -> None:
    """Tell every registered app of this change (booking calls it inside the change's transaction): patients
    moves or drops the visit's outcome check-in invitation."""
    for listener in _change_listeners:
        listener(appointment=appointment, kind=kind, old_start=old_start, now=now)


class CompletedListener(Protocol):
    """React to a visit the clinic just marked completed (inside that change's transaction: queue, don't send)."""

    def __call__(self, *, appointment: Appointment, now: datetime) -> object: ...


_completed_listeners: list[CompletedListener] = []


def completed_listener_register(listener: CompletedListener) -> None:
    """quality registers its review invitation here (``QualityConfig.ready()``); registering again changes nothing."""
    if listener not in _completed_listeners:
        _completed_listeners.append(listener)


def completed_notify(*, appointment: Appointment, now: datetime) -> None:
    """Tell every registered listener, every time a visit is marked completed, whoever marked it."""
    for listener in _completed_listeners:
        listener(appointment=appointment, now=now)
