"""The SMS side of notifications: segments, quiet hours, the backends' configuration, the delivery callback."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from twilio.request_validator import RequestValidator

from notifications import sms
from notifications.models import Channel, MessageStatus, OutboxMessage
from notifications.sms import TwilioSmsBackend, gsm7_length, quiet_hours_end

ST_JOHNS = ZoneInfo("America/St_Johns")
TOKEN = "twilio-auth-token-for-tests"
SITE = "https://painhero.example"
URL = "/notifications/sms/status"


def test_gsm7_counts_extension_characters_twice_and_refuses_what_needs_ucs2() -> None:
    assert gsm7_length("é à ü") == 5
    assert gsm7_length("€[]") == 6
    assert gsm7_length("ê") is None
    assert gsm7_length("→") is None


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((2026, 12, 7, 20, 59), None),
        ((2026, 12, 7, 21, 0), (2026, 12, 8, 8, 0)),
        ((2026, 12, 8, 2, 30), (2026, 12, 8, 8, 0)),
        ((2026, 12, 8, 7, 59), (2026, 12, 8, 8, 0)),
        ((2026, 12, 8, 8, 0), None),
    ],
)
def test_quiet_hours_are_21_to_8_on_the_clinics_clock_in_st_johns(
    local: tuple[int, int, int, int, int], expected: tuple[int, int, int, int, int] | None
) -> None:
    moment = datetime(*local).replace(tzinfo=ST_JOHNS)
    end = quiet_hours_end(moment, ST_JOHNS)
    assert end == (datetime(*expected).replace(tzinfo=ST_JOHNS) if expected else None)


@override_settings(
    SMS_BACKEND="notifications.sms.TwilioSmsBackend", TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN="", TWILIO_FROM_NUMBER=""
)
def test_the_twilio_backend_says_which_setting_is_missing() -> None:
    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER"):
        TwilioSmsBackend()


def test_an_sms_repr_shows_neither_the_number_nor_the_text() -> None:
    message = sms.SmsMessage(to="+14165550123", body="secret link /c/abcdefghijklmnopqrstuvwxyz123/")
    assert "4165550123" not in repr(message) and "secret" not in repr(message)


def sent_sms(db: Any) -> OutboxMessage:
    from django.utils import timezone

    now = timezone.now()
    return OutboxMessage.objects.create(
        kind="test.sms",
        created_at=now,
        sent_at=now,
        channel=Channel.SMS,
        status=MessageStatus.SENT,
        provider_id="SM0123456789abcdef",
    )


def post_signed(client: Client, data: dict[str, str], *, token: str = TOKEN) -> Any:
    signature = RequestValidator(token).compute_signature(SITE + URL, data)
    return client.post(URL, data, HTTP_X_TWILIO_SIGNATURE=signature)


@override_settings(TWILIO_AUTH_TOKEN=TOKEN, SITE_URL=SITE)
@pytest.mark.parametrize(
    ("reported", "status"), [("delivered", "delivered"), ("undelivered", "undelivered"), ("failed", "undelivered")]
)
def test_a_signed_status_callback_records_delivered_or_not(db: Any, client: Client, reported: str, status: str) -> None:
    message = sent_sms(db)
    response = post_signed(client, {"MessageSid": "SM0123456789abcdef", "MessageStatus": reported})
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == status
    assert message.status_at is not None


@override_settings(TWILIO_AUTH_TOKEN=TOKEN, SITE_URL=SITE)
def test_a_callback_not_signed_with_the_auth_token_is_refused_and_changes_nothing(db: Any, client: Client) -> None:
    message = sent_sms(db)
    data = {"MessageSid": "SM0123456789abcdef", "MessageStatus": "failed"}
    assert client.post(URL, data).status_code == 403
    assert post_signed(client, data, token="someone-else").status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


@override_settings(TWILIO_AUTH_TOKEN=TOKEN, SITE_URL=SITE)
def test_a_callback_without_its_fields_gets_a_400_and_a_get_a_405(db: Any, client: Client) -> None:
    assert post_signed(client, {"MessageSid": "SM1"}).status_code == 400
    assert client.get(URL).status_code == 405


@override_settings(TWILIO_AUTH_TOKEN="", SITE_URL=SITE)
def test_without_an_auth_token_every_callback_is_refused(db: Any, client: Client) -> None:
    sent_sms(db)
    response = post_signed(client, {"MessageSid": "SM0123456789abcdef", "MessageStatus": "delivered"}, token="")
    assert response.status_code == 403
