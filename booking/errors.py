"""What can go wrong when booking, as exceptions the views and the API turn into answers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from booking.availability import OpenTime


class BookingError(Exception):
    """A booking request that cannot be carried out; ``message`` is safe to show to the patient."""

    status = 400
    default_message = _("This booking request cannot be carried out.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class NotBookable(BookingError):
    status = 422
    default_message = _("This practitioner does not offer this service at this clinic.")


class ClinicNotBookable(BookingError):
    """The clinic is not in the network (an applicant, suspended or removed): nothing can be booked there."""

    status = 409
    default_message = _("This clinic is not taking bookings through PainHero at the moment. Please call the clinic.")


class SlotTaken(BookingError):
    """The time is taken (by an appointment or a hold) or no longer open; ``alternatives`` are nearby times."""

    status = 409
    default_message = _("Sorry, someone else just took this time.")

    def __init__(self, message: str | None = None, *, alternatives: list[OpenTime] | None = None) -> None:
        super().__init__(message)
        self.alternatives = alternatives or []


class HoldInvalid(SlotTaken):
    default_message = _("Your hold on this time has lapsed or is not yours.")


class TooManyHolds(BookingError):
    status = 429
    default_message = _("You are already holding several times. Book or release one of them first.")


class Busy(BookingError):
    status = 503
    default_message = _("Many people are booking with this practitioner right now. Please try again.")


class NotChangeable(BookingError):
    status = 409
    default_message = _("This appointment can no longer be changed online.")


class IdempotencyMismatch(BookingError):
    status = 422
    default_message = _("This Idempotency-Key was already used with a different request body.")


class IdempotencyInFlight(BookingError):
    status = 409
    default_message = _("A request with this Idempotency-Key is still being processed. Retry in a moment.")
