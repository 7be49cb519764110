"""The check-in form, the same for the patient's link and the practitioner's portal page: pain now, each of the
intake's activities re-rated, the global rating of change, and any licensed measure the clinic registered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from patients.models import Intake
from patients.outcomes_measures import GROC, NPRS, PSFS, extra_measures_for
from patients.outcomes_progress import intake_activities


def _scale(measure_min: int, measure_max: int) -> list[tuple[str, str]]:
    return [(str(n), str(n)) for n in range(measure_min, measure_max + 1)]


class CheckInForm(forms.Form):
    def __init__(self, *args: Any, intake: Intake, clinic_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose = _("Choose a number from %(min)s to %(max)s.")
        self.fields["nprs"] = forms.TypedChoiceField(
            label=str(NPRS.question),
            choices=_scale(NPRS.minimum, NPRS.maximum),
            coerce=int,
            widget=forms.RadioSelect,
            help_text=_("0: no pain; 10: the worst pain you can imagine."),
            error_messages={
                "required": choose % {"min": NPRS.minimum, "max": NPRS.maximum},
                "invalid_choice": choose % {"min": NPRS.minimum, "max": NPRS.maximum},
            },
        )
        self.activity_names: list[str] = []
        for n, activity in enumerate(intake_activities(intake), start=1):
            name = str(activity.get("name", ""))
            self.activity_names.append(name)
            self.fields[f"psfs_{n}"] = forms.TypedChoiceField(
                label=_("How well can you do this today: %(activity)s?") % {"activity": name},
                choices=_scale(PSFS.minimum, PSFS.maximum),
                coerce=int,
                widget=forms.RadioSelect,
                help_text=_("0: cannot do it at all; 10: as well as before the pain. At the start: %(score)s.")
                % {"score": activity.get("score", "—")},
                error_messages={
                    "required": choose % {"min": PSFS.minimum, "max": PSFS.maximum},
                    "invalid_choice": choose % {"min": PSFS.minimum, "max": PSFS.maximum},
                },
            )
        self.fields["groc"] = forms.TypedChoiceField(
            label=str(GROC.question),
            choices=[(str(value), str(label)) for value, label in sorted(GROC.anchors.items(), reverse=True)],
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose how you are compared with the start."),
                "invalid_choice": _("Choose how you are compared with the start."),
            },
        )
        for measure in extra_measures_for(clinic_id):
            self.fields[f"extra_{measure.id}"] = forms.IntegerField(
                label=str(measure.question or measure.name),
                min_value=measure.minimum,
                max_value=measure.maximum,
                help_text=str(measure.name),
            )

    def scale_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name == "nprs" or name.startswith("psfs_")]
