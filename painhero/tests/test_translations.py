"""The French catalogue is complete, its compiled .mo matches the .po, and French pages render in French.

The .po is read with the small parser below (no dependency, and nothing from Django's translation
machinery, so a broken catalogue cannot hide behind a fallback). Whether the committed .mo is up to
date is decided by compiling the .po again and comparing catalogues: file times mean nothing in a
git checkout.
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from clinics.testing import make_city, make_clinic

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
PO = LOCALE_DIR / "django.po"
MO = LOCALE_DIR / "django.mo"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def msgstrs(self) -> dict[str, str]:
        return {key: value for key, value in self.fields.items() if key.startswith("msgstr")}

    def describe(self) -> str:
        context = self.fields.get("msgctxt")
        return f"line {self.line}: {self.msgid!r}" + (f" (context {context!r})" if context is not None else "")


def _unquote(text: str) -> str:
    # A PO string is a C-style quoted string; Python's literal syntax reads the escapes PO files use.
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, obsolete ones (``#~``) left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key: str | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            entry, key = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert key is not None, f"{path}:{number}: a continuation line outside any field"
            entry.fields[key] += _unquote(line)
        else:
            key, _, value = line.partition(" ")
            assert key in ("msgctxt", "msgid", "msgid_plural") or key.startswith("msgstr"), f"{path}:{number}: {raw}"
            entry.fields[key] = _unquote(value)
    return [entry for entry in entries if "msgid" in entry.fields]


def _messages() -> list[Entry]:
    return [entry for entry in parse_po(PO) if entry.msgid]  # the header's msgid is empty


def test_the_parser_reads_the_whole_catalogue():
    entries = _messages()
    assert len(entries) > 100
    assert any("msgid_plural" in entry.fields for entry in entries)
    assert any("\n" in entry.msgid for entry in entries)


def test_every_french_message_is_translated():
    untranslated = [e.describe() for e in _messages() if not all(e.msgstrs.values()) or not e.msgstrs]
    assert not untranslated, "untranslated in django.po:\n" + "\n".join(untranslated)


def test_no_french_message_is_fuzzy():
    fuzzy = [entry.describe() for entry in _messages() if "fuzzy" in entry.flags]
    assert not fuzzy, "fuzzy in django.po (review, then remove the flag):\n" + "\n".join(fuzzy)


def test_french_plurals_have_both_forms():
    plurals = [entry for entry in _messages() if "msgid_plural" in entry.fields]
    wrong = [entry.describe() for entry in plurals if sorted(entry.msgstrs) != ["msgstr[0]", "msgstr[1]"]]
    assert not wrong, "plural entries need msgstr[0] and msgstr[1] (nplurals=2):\n" + "\n".join(wrong)


def test_the_committed_mo_is_the_compiled_po(tmp_path: Path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        reason = "needs GNU gettext's msgfmt to compile the .po"
        if IN_CI:
            pytest.fail(f"{reason} (CI must run every test)")
        pytest.skip(reason)
    compiled = tmp_path / "django.mo"
    # The same options as ``manage.py compilemessages``.
    subprocess.run([msgfmt, "--check-format", "-o", str(compiled), str(PO)], check=True, capture_output=True)  # noqa: S603 (our own files)
    with compiled.open("rb") as fresh, MO.open("rb") as committed:
        expected = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
        actual = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
    stale = sorted(str(key) for key in expected.keys() ^ actual.keys())
    stale += sorted(str(key) for key in expected.keys() & actual.keys() if expected[key] != actual[key])
    assert not stale, "django.mo is out of date: run `manage.py compilemessages -l fr`. Differences:\n" + "\n".join(
        stale[:20]
    )


@pytest.mark.django_db
def test_the_french_home_page_is_in_french(client):
    montreal = make_city(name="Montreal", name_fr="Montréal", slug="montreal", province="QC", population=1_700_000)
    make_clinic(city=montreal)
    response = client.get("/fr/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Trouvez une clinique" in html
    assert "Montréal" in html


@pytest.mark.django_db
def test_the_french_cities_index_is_in_french(client):
    montreal = make_city(name="Montreal", name_fr="Montréal", slug="montreal", province="QC", population=1_700_000)
    make_clinic(city=montreal)
    make_clinic(city=montreal)
    response = client.get("/fr/clinics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Cliniques par ville" in html
    assert "Toutes les villes où PainHero a inspecté des cliniques" in html
    assert "2 cliniques" in html
    assert "Clinics by city" not in html


@pytest.mark.django_db
def test_the_french_portal_sign_in_is_in_french(client):
    with translation.override("fr"):
        url = reverse("portal:login")
    assert url.startswith("/fr/")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Connexion au portail de la clinique" in html
    assert "Mot de passe oublié?" in html
    assert "Forgot your password?" not in html
