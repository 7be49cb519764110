from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils import translation

from scheduling.phrasing import when_phrase

TORONTO = ZoneInfo("America/Toronto")
ST_JOHNS = ZoneInfo("America/St_Johns")
NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # Tue Dec 1, 9:00 AM in Toronto


def test_a_time_later_today_reads_today_with_the_clinic_wall_clock():
    assert when_phrase(datetime(2026, 12, 1, 20, 30, tzinfo=UTC), now=NOW, zone=TORONTO) == "Today 3:30 PM"


def test_tomorrow_is_counted_in_the_clinic_zone_not_in_utc():
    # 01:30 UTC on Dec 2 is still Dec 1 (8:30 PM) in Toronto.
    assert when_phrase(datetime(2026, 12, 2, 1, 30, tzinfo=UTC), now=NOW, zone=TORONTO) == "Today 8:30 PM"
    assert when_phrase(datetime(2026, 12, 2, 14, 0, tzinfo=UTC), now=NOW, zone=TORONTO) == "Tomorrow 9:00 AM"


def test_later_days_read_as_weekday_month_and_day():
    assert when_phrase(datetime(2026, 12, 3, 15, 15, tzinfo=UTC), now=NOW, zone=TORONTO) == "Thu Dec 3, 10:15 AM"


def test_st_johns_half_hour_offset_is_shown_on_its_wall_clock():
    assert when_phrase(datetime(2026, 12, 1, 13, 0, tzinfo=UTC), now=NOW, zone=ST_JOHNS) == "Today 9:30 AM"


def test_french_uses_the_24_hour_clock():
    with translation.override("fr"):
        assert when_phrase(datetime(2026, 12, 1, 20, 30, tzinfo=UTC), now=NOW, zone=TORONTO) == "Aujourd’hui 15 h 30"
