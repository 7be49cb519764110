"""``{% guides_about techniques %}``: links to the published treatment guides about these techniques.

For pages of other apps that suggest care (the intake's answer names techniques by slug): the guides are found
here, so those apps need not know the content app's models.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from content.selectors import guides_for_techniques

register = template.Library()


@register.inclusion_tag("content/_guides_about.html")
def guides_about(techniques: Iterable[str]) -> dict[str, Any]:
    return {"guides": guides_for_techniques(techniques=list(techniques))}
