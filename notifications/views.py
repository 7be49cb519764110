"""The SMS provider's delivery status callback (Twilio's ``StatusCallback``): delivered or not, per message."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications.services import outbox_status_record
from painhero.urls_abs import absolute_url

DELIVERED = {"delivered"}
UNDELIVERED = {"undelivered", "failed"}


def _signed_by_twilio(request: HttpRequest) -> bool:
    """Twilio signs the public URL and the form with the account's auth token (X-Twilio-Signature)."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    from twilio.request_validator import RequestValidator

    params = {key: request.POST.get(key, "") for key in request.POST}
    return bool(RequestValidator(token).validate(absolute_url(request.get_full_path()), params, signature))


@csrf_exempt  # signed by the provider instead: no browser session is involved
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    if not _signed_by_twilio(request):
        return HttpResponse("The X-Twilio-Signature header is missing or does not match.", status=403)
    provider_id = request.POST.get("MessageSid", "")
    state = request.POST.get("MessageStatus", "")
    if not provider_id or not state:
        return HttpResponse("Send MessageSid and MessageStatus.", status=400)
    if state in DELIVERED | UNDELIVERED:
        outbox_status_record(provider_id=provider_id, delivered=state in DELIVERED, now=timezone.now())
    # Twilio also reports queued, sent, ...; those change nothing here. 204 either way: it needs no answer.
    return HttpResponse(status=204)
