"""The steps of "Tell us what hurts", one form each. Each form turns what was posted into answers as the API
takes them (``answers()``) and back (``initial_from``), so the draft kept in the session is in one shape."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from patients.rules import (
    ACTIVITY_NAME_MAX,
    DURATIONS,
    MAX_ACTIVITIES,
    MAX_AGE,
    MIN_AGE,
    ONSETS,
    QUESTIONS_BY_ID,
    REGIONS,
    TEXT_MAX,
    red_flags_for,
)

SCORES = [(str(n), str(n)) for n in range(11)]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _label(question_id: str) -> Any:
    return QUESTIONS_BY_ID[question_id].text


class StepForm(forms.Form):
    def answers(self) -> dict[str, Any]:
        """The step's answers, once valid, in the API's shape."""
        return {k: v for k, v in self.cleaned_data.items() if v is not None}

    @classmethod
    def initial_from(cls, answers: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: v for k, v in answers.items() if k in cls.base_fields}


class WhereForm(StepForm):
    region = forms.MultipleChoiceField(
        label=_label("region"),
        choices=list(REGIONS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=QUESTIONS_BY_ID["region"].help or "",
        error_messages={"required": _("Choose at least one place that hurts.")},
    )

    def answers(self) -> dict[str, Any]:
        chosen = set(self.cleaned_data["region"])
        return {"region": [r for r in REGIONS if r in chosen]}


class HowLongForm(StepForm):
    duration = forms.ChoiceField(
        label=_label("duration"),
        choices=list(DURATIONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how long it has hurt.")},
    )
    onset = forms.ChoiceField(
        label=_label("onset"),
        choices=list(ONSETS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it started.")},
    )


class PainForm(StepForm):
    pain_now = forms.TypedChoiceField(
        label=_label("pain_now"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a number from 0 to 10.")},
    )

    @classmethod
    def initial_from(cls, answers: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {"pain_now": str(answers["pain_now"])} if "pain_now" in answers else {}


class ActivitiesForm(StepForm):
    """The Patient-Specific Functional Scale: up to three activities, each rated 0-10."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_ACTIVITIES + 1):
            self.fields[f"activity_{n}"] = forms.CharField(
                label=_("Activity %(n)s") % {"n": n}, required=False, max_length=ACTIVITY_NAME_MAX
            )
            self.fields[f"score_{n}"] = forms.TypedChoiceField(
                label=_("How well can you do it now? (activity %(n)s)") % {"n": n},
                choices=[("", _("Choose 0 to 10")), *SCORES],
                coerce=int,
                empty_value=None,
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, MAX_ACTIVITIES + 1):
            name, score = data.get(f"activity_{n}"), data.get(f"score_{n}")
            if name and score is None:
                self.add_error(f"score_{n}", _("Rate this activity from 0 to 10."))
            if score is not None and not name:
                self.add_error(f"activity_{n}", _("Name the activity you rated, or clear its rating."))
        return data

    def answers(self) -> dict[str, Any]:
        activities = []
        for n in range(1, MAX_ACTIVITIES + 1):
            name = self.cleaned_data.get(f"activity_{n}")
            if name:
                activities.append({"name": name, "score": self.cleaned_data[f"score_{n}"]})
        return {"activities": activities}

    @classmethod
    def initial_from(cls, answers: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for n, activity in enumerate(answers.get("activities") or [], start=1):
            initial[f"activity_{n}"] = activity["name"]
            initial[f"score_{n}"] = str(activity["score"])
        return initial

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"activity_{n}"], self[f"score_{n}"]) for n in range(1, MAX_ACTIVITIES + 1)]


class AboutForm(StepForm):
    goals = forms.CharField(
        label=_label("goals"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    better = forms.CharField(
        label=_label("better"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    worse = forms.CharField(
        label=_label("worse"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    age = forms.IntegerField(
        label=_label("age"),
        min_value=MIN_AGE,
        max_value=MAX_AGE,
        error_messages={
            "required": _("Enter your age in years."),
            "invalid": _("Enter your age as a whole number of years."),
            "min_value": _("Enter an age from %(min)s to %(max)s.") % {"min": MIN_AGE, "max": MAX_AGE},
            "max_value": _("Enter an age from %(min)s to %(max)s.") % {"min": MIN_AGE, "max": MAX_AGE},
        },
    )

    def answers(self) -> dict[str, Any]:
        # An emptied text box removes the earlier answer.
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def cleared(self) -> list[str]:
        return [k for k in ("goals", "better", "worse") if not self.cleaned_data.get(k)]


class WarningSignsForm(StepForm):
    """One required yes/no per warning-sign question that applies to the chosen regions: never skippable."""

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in red_flags_for(regions):
            self.fields[question.id] = forms.ChoiceField(
                label=question.text,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes or no: this question cannot be skipped.")},
            )

    def answers(self) -> dict[str, Any]:
        return {k: v == "yes" for k, v in self.cleaned_data.items()}

    @classmethod
    def initial_from(cls, answers: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        regions = kwargs.get("regions") or []
        return {
            q.id: ("yes" if answers[q.id] else "no")
            for q in red_flags_for(regions)
            if isinstance(answers.get(q.id), bool)
        }


class ConsentForm(StepForm):
    consent = forms.BooleanField(
        label=_(
            "I agree that PainHero keeps my answers to guide my care, as the privacy notice describes, and shows "
            "them only to me and to the clinic I book."
        ),
        error_messages={"required": _("Please agree to the privacy notice to see your answer.")},
    )
