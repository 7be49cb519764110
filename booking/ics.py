"""iCalendar for appointments, one builder for every caller: the patient's email attachment (one event) and a
practitioner's private feed in the portal (many). Both give an appointment the same UID, times, summary and
location, so a calendar that sees it through both knows it is one visit.

Times carry the clinic's zone (DTSTART;TZID=America/Halifax:...) with its VTIMEZONE, so calendars keep the
clinic's wall-clock time across DST changes wherever they are opened. No health information: the service,
the clinic and its address only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import icalendar

from booking.models import Appointment, AppointmentStatus

ZONE_MARGIN = timedelta(days=366)


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@painhero"


def appointment_event(appointment: Appointment) -> icalendar.Event:
    """The fields every calendar view of an appointment shares; needs ``clinic__city`` and ``service`` loaded.

    The summary is in the active language: the caller chooses it (the patient's, for their email).
    """
    clinic = appointment.clinic
    zone = ZoneInfo(clinic.time_zone)
    event = icalendar.Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.start.astimezone(zone))
    event.add("dtend", appointment.end.astimezone(zone))
    event.add("summary", f"{appointment.service.label} — {clinic.name}")
    event.add("location", f"{clinic.address}, {clinic.city.name}, {clinic.province} {clinic.postal_code}")
    return event


def _calendar(*, prodid: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    return calendar


def ics_appointment(appointment: Appointment, *, description: str, url: str) -> bytes:
    """One appointment as a file to import (the email's attachment): cancelled if the appointment is."""
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    calendar = _calendar(prodid="-//PainHero//Booking//EN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = appointment_event(appointment)
    event.add("description", description)
    event.add("url", url)
    event.add("sequence", appointment.events.count())
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    # The zone's rules around this appointment only, not every change since 1970.
    calendar.add_missing_timezones(
        first_date=(appointment.start - ZONE_MARGIN).date(), last_date=(appointment.end + ZONE_MARGIN).date()
    )
    return calendar.to_ical()


def ics_feed(*, name: str, appointments: Iterable[Appointment], first_date: date, last_date: date) -> bytes:
    """Many appointments as a subscribed calendar (a practitioner's feed); zones' rules from first to last date."""
    calendar = _calendar(prodid="-//PainHero//Clinic portal//EN")
    calendar.add("x-wr-calname", name)
    for appointment in appointments:
        calendar.add_component(appointment_event(appointment))
    calendar.add_missing_timezones(first_date=first_date, last_date=last_date)
    return calendar.to_ical()


def ics_series(appointments: Sequence[Appointment], *, descriptions: Sequence[tuple[str, str]]) -> bytes:
    """A series' visits as one file to import (its email's attachment): one event each, with its own link.

    ``descriptions``: (description, url) for each appointment, in the same order."""
    calendar = _calendar(prodid="-//PainHero//Booking//EN")
    calendar.add("method", "PUBLISH")
    for appointment, (description, url) in zip(appointments, descriptions, strict=True):
        event = appointment_event(appointment)
        event.add("description", description)
        event.add("url", url)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=(appointments[0].start - ZONE_MARGIN).date(), last_date=(appointments[-1].end + ZONE_MARGIN).date()
    )
    return calendar.to_ical()
