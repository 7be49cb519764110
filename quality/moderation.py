"""Which review texts are held for a moderator, and why: one readable module (the patient is told the reason)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+"  # an email address
    r"|(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}"  # a North American phone number
    r"|https?://|www\.",  # a link
    re.IGNORECASE,
)
_ABUSE = re.compile(r"\b(?:idiot|stupid|moron|crook|scammer|fuck\w*|shit\w*|connard|salaud|merde)\b", re.IGNORECASE)
# Someone else's health: a relative or another patient named together with a condition or treatment.
_OTHER_PERSON = re.compile(
    r"\b(?:my|his|her|their|another|other|mon|ma|mes|son|sa|ses|un autre|une autre)\s+"
    r"(?:wife|husband|son|daughter|mother|father|mom|dad|friend|neighbou?r|patient|femme|mari|fils|fille|mère|"
    r"père|ami|amie|voisin|voisine|patiente?)\b"
    r".{0,80}\b(?:diagnos\w*|cancer|surgery|depress\w*|pregnan\w*|hernia|fracture\w*|chirurgie|enceinte|"
    r"hernie|dépression)\b",
    re.IGNORECASE | re.DOTALL,
)


def hold_reason(text: str) -> str:
    """Why ``text`` must wait for a moderator ("" if it can be published at once)."""
    if _CONTACT.search(text):
        return _("It contains contact details (an email, a phone number or a link).")
    if _OTHER_PERSON.search(text):
        return _("It may contain health details about someone else.")
    if _ABUSE.search(text):
        return _("It contains abusive language.")
    return ""
