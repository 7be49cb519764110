"""Schedule forms: parse what the member typed into the arguments of the scheduling services.

Times are wall-clock times in the clinic's zone. The forms give friendly messages next to the
field; the services (and the database) check again and have the last word.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.models import ClinicBookingPolicy
from clinics.models import WEEKDAYS, Clinic, OpeningHours, Practitioner
from painhero.bounds import date_check
from scheduling import engine
from scheduling.models import BookingRules, TimeOffKind

_BLOCK = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?\s*$")


def _time(hours: str, minutes: str | None) -> time:
    return time(int(hours), int(minutes or 0))


def blocks_parse(text: str) -> list[tuple[time, time]]:
    """Parse "9:00-12:00, 13:00-17:00" into sorted (start, end) pairs; ValidationError if unclear or overlapping."""
    blocks = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text or ""))):
        match = _BLOCK.match(part)
        try:
            if match is None:
                raise ValueError
            start, end = _time(match[1], match[2]), _time(match[3], match[4])
        except ValueError:
            raise forms.ValidationError(
                _("Write blocks as 09:00-12:00, separated by commas (“%(part)s” is unclear).") % {"part": part}
            ) from None
        if end <= start:
            raise forms.ValidationError(_("%(block)s ends before it starts.") % {"block": part})
        blocks.append((start, end))
    blocks.sort()
    for (_a, end), (start, _b) in itertools.pairwise(blocks):
        if start < end:
            raise forms.ValidationError(
                _("Blocks overlap: %(a)s and %(b)s.")
                % {"a": f"{_a:%H:%M}-{end:%H:%M}", "b": f"{start:%H:%M}-{_b:%H:%M}"}
            )
    return blocks


def _blocks_text(blocks: list[tuple[time, time]]) -> str:
    return ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in blocks)


# The button that saves past the warning about the clinic's posted hours posts this name and value.
OUTSIDE_HOURS, OUTSIDE_HOURS_CONFIRMED = "outside_hours", "confirmed"


def posted_hours_text(hours: list[engine.PostedHours], *, weekdays: range | list[int] = range(7)) -> str:
    """The clinic's posted hours, day by day: "Monday 08:00–20:00; …; Sunday closed"."""
    days = []
    for day in weekdays:
        name = WEEKDAYS[day]
        blocks = sorted((a, b) for d, a, b in hours if d == day)
        shown = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in blocks)
        days.append(f"{name} {shown}" if blocks else _("%(day)s closed") % {"day": name})
    return "; ".join(days)


class _ClinicForm(forms.Form):
    """A form that knows the clinic (its zone) and today's date there."""

    def __init__(self, *args: Any, clinic: Clinic, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.now = now
        self.zone = ZoneInfo(clinic.time_zone)
        self.today = now.astimezone(self.zone).date()
        # Set by ``clean`` when what was typed falls outside the clinic's posted hours: the page says so and
        # saves only once the member confirms (the button posts ``OUTSIDE_HOURS``).
        self.outside_hours_warning = ""
        self.outside_hours_confirmed = self.data.get(OUTSIDE_HOURS) == OUTSIDE_HOURS_CONFIRMED
        self._posted: list[engine.PostedHours] | None = None

    def posted_hours(self) -> list[engine.PostedHours]:
        if self._posted is None:
            self._posted = list(
                OpeningHours.objects.filter(clinic=self.clinic).values_list("weekday", "opens", "closes")
            )
        return self._posted

    def posted_hours_text(self, *, weekdays: range | list[int] = range(7)) -> str:
        return posted_hours_text(self.posted_hours(), weekdays=weekdays)

    @property
    def asks_to_confirm(self) -> bool:
        """True when the form is fine but what it says is outside the posted hours and not yet confirmed."""
        return bool(self.outside_hours_warning) and not self.outside_hours_confirmed

    def at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.zone)

    def clean(self) -> dict[str, Any]:
        # Every date typed here lies in the sane window (painhero.bounds): 9999-12-31 23:00 in Vancouver is
        # year 10000 in UTC, which would be stored and break the schedule page for good.
        data = super().clean() or {}
        for name, field in self.fields.items():
            value = data.get(name)
            if isinstance(field, forms.DateField) and value is not None:
                try:
                    date_check(value, today=self.today)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def not_past(self, name: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day is not None and day < self.today:
            self.add_error(name, _("This date is in the past."))
        return day


class WorkingHoursForm(_ClinicForm):
    """A week of hours, one text field per weekday (several blocks a day), valid from/until."""

    valid_from = forms.DateField(label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty: until further notice."),
    )

    def __init__(self, *args: Any, current: dict[int, list[tuple[time, time]]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(WEEKDAYS):
            self.fields[f"day_{day}"] = forms.CharField(
                label=name, required=False, widget=forms.TextInput(attrs={"placeholder": "09:00-12:00, 13:00-17:00"})
            )
        if current is not None:
            self.initial.update({f"day_{d}": _blocks_text(b) for d, b in current.items()})
        self.initial.setdefault("valid_from", self.today)

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{d}"] for d in range(7)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        blocks = []
        for day in range(7):
            try:
                blocks += [(day, a, b) for a, b in blocks_parse(data.get(f"day_{day}", ""))]
            except forms.ValidationError as exc:
                self.add_error(f"day_{day}", exc)
        self.not_past("valid_from")
        start, until = data.get("valid_from"), data.get("valid_until")
        if start and until and until < start:
            self.add_error("valid_until", _("The end of validity must not be before its start."))
        data["blocks"] = blocks
        outside = engine.outside_posted_hours(blocks, self.posted_hours())
        if outside:
            self.outside_hours_warning = _(
                "Outside the clinic's posted hours: %(outside)s. Patients are not offered these times"
                " unless the clinic's hours (in its profile) include them. The clinic's hours: %(hours)s."
            ) % {
                "outside": ", ".join(f"{WEEKDAYS[d]} {a:%H:%M}–{b:%H:%M}" for d, a, b in outside),
                "hours": self.posted_hours_text(),
            }
        return data


class TimeOffForm(_ClinicForm):
    """Time off over one or more days (a holiday, a course): from a day and time to a day and time."""

    start_date = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=gettext_lazy("at"), initial=time(0), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_date = forms.DateField(label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    end_time = forms.TimeField(
        label=gettext_lazy("at"), initial=time(23, 59), widget=forms.TimeInput(attrs={"type": "time"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        names = ("start_date", "start_time", "end_date", "end_time")
        if all(data.get(n) is not None for n in names):
            data["start"] = self.at(data["start_date"], data["start_time"])
            data["end"] = self.at(data["end_date"], data["end_time"])
            if data["end"] <= data["start"]:
                self.add_error("end_date", _("The end must be after the start."))
            elif data["end"] <= self.now:
                self.add_error("end_date", _("This time is in the past."))
        return data


OPENING = "opening"


class SlotForm(_ClinicForm):
    """One stretch of one day: post it as an extra opening, or block it."""

    kind = forms.ChoiceField(
        label=gettext_lazy("What"),
        choices=[
            (OPENING, gettext_lazy("Post an extra opening")),
            (TimeOffKind.BLOCKED, gettext_lazy("Block this time")),
        ],
        widget=forms.RadioSelect,
        initial=OPENING,
    )
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=gettext_lazy("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    reason = forms.CharField(label=gettext_lazy("Reason (blocked time)"), max_length=200, required=False)

    def __init__(self, *args: Any, practitioner: Practitioner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practitioner = practitioner
        self.initial.setdefault("day", self.today)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day is None or start is None or end is None:
            return data
        if end <= start:
            self.add_error("end_time", _("The end must be after the start."))
            return data
        data["start"], data["end"] = self.at(day, start), self.at(day, end)
        if data["end"] <= self.now:
            self.add_error("day" if day < self.today else "end_time", _("This time is in the past."))
            return data
        if data.get("kind") == OPENING:
            minutes = (data["end"] - data["start"]).total_seconds() / 60
            durations = [s.duration_minutes for s in self.practitioner.services.filter(is_active=True)]
            if not durations:
                self.add_error(None, _("This practitioner offers no service yet: nothing could be booked."))
            elif minutes < min(durations):
                self.add_error(
                    "end_time",
                    _("No service fits in %(minutes)d minutes (the shortest takes %(shortest)d).")
                    % {"minutes": minutes, "shortest": min(durations)},
                )
            if engine.outside_posted_hours([(day.weekday(), start, end)], self.posted_hours()):
                self.outside_hours_warning = _(
                    "This opening is outside the clinic's posted hours (%(hours)s). Patients will be offered it"
                    " all the same: save it only if the clinic will be open for it."
                ) % {"hours": self.posted_hours_text(weekdays=[day.weekday()])}
        return data


class ClosureForm(_ClinicForm):
    start_date = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label=gettext_lazy("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty: one day."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.not_past("start_date")
        start = data.get("start_date")
        if start is not None:
            data["end_date"] = data.get("end_date") or start
            if data["end_date"] < start:
                self.add_error("end_date", _("The last day must not be before the first day."))
        return data


class RulesForm(forms.ModelForm):
    """The clinic's booking rules and, beside them, the cancellation window patients see."""

    cancellation_window_hours = forms.IntegerField(
        label=gettext_lazy("Cancellation window (hours)"),
        min_value=0,
        max_value=24 * 14,
        help_text=gettext_lazy("Patients can cancel or reschedule online until this many hours before."),
    )

    class Meta:
        model = BookingRules
        fields = [
            "min_notice_minutes",
            "horizon_days",
            "step_minutes",
            "buffer_minutes",
            "same_day_allowed",
            "open_on_holidays",
        ]

    def __init__(self, *args: Any, policy: ClinicBookingPolicy | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("cancellation_window_hours", policy.cancellation_window_hours if policy else 24)
