"""What can go wrong in an inspection, as exceptions the admin, views and API turn into answers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class InspectionError(Exception):
    """An inspection request that cannot be carried out; ``message`` is safe to show to network staff."""

    status = 400
    default_message = _("This inspection request cannot be carried out.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class InspectionFinished(InspectionError):
    status = 409
    default_message = _("This inspection is finished: start a new one to change a result.")


class NotInspectorPoint(InspectionError):
    status = 422
    default_message = _("This point is computed from PainHero's data: it cannot be entered by hand.")


class EvidenceMissing(InspectionError):
    status = 422
    default_message = _("A passed point needs its evidence: a note or a link.")


class StatusNotAllowed(InspectionError):
    status = 409
    default_message = _("This move needs a finished inspection: admission and probation are decided by one.")


class ReviewNotAllowed(InspectionError):
    status = 403
    default_message = _("Only a visit the clinic marked completed can be reviewed.")


class ReviewExists(InspectionError):
    status = 409
    default_message = _("This visit already has a review: there is one review per visit.")


class ReviewInvalid(InspectionError):
    status = 422
    default_message = _("rating: give a whole number from 1 to 5.")


class ReviewReplyInvalid(InspectionError):
    status = 422
    default_message = _("reply: write the reply.")
