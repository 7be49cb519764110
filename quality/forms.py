"""The patient's review form: the overall rating (required), the five sub-ratings (each optional) and a few words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

STARS = [(str(n), str(n)) for n in range(1, 6)]
# By the names review_create takes (quality.services.SUBRATINGS), with what the patient is asked.
SUBRATING_LABELS = {
    "explained": _("Explained the problem and the plan"),
    "listened": _("Listened to you"),
    "on_time": _("Started on time"),
    "clean": _("Clean and accessible"),
    "recommend": _("Would recommend"),
}


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your visit overall"),
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose 1 to 5 for your visit overall.")},
        help_text=_("1 is poor, 5 is excellent."),
    )
    text = forms.CharField(
        label=_("In your own words (optional)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        required=False,
        help_text=_(
            "Say what you found. Leave out contact details and anyone else's health: a review with them waits for a "
            "moderator before it is shown."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in SUBRATING_LABELS.items():
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=STARS,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    def subratings(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in SUBRATING_LABELS if self.cleaned_data.get(name) is not None}

    def subrating_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SUBRATING_LABELS]
