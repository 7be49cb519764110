"""Every guide file shipped in content/guides/ is valid: this is what keeps the writers' work whole at merge.

It reads the files only (no database): they parse, each slug has both languages, kinds, slugs, techniques,
disciplines and links are real, and no title, summary or body makes a claim the colleges' advertising
standards forbid (superiority, cure, guarantees).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clinics.models import Discipline
from content.catalog import ALL_SLUGS, KIND_OF_SLUG, LANGUAGES
from content.guide_files import GUIDES_DIR, LINK, GuideData, guide_files_read, split_front_matter
from demo.reference import TECHNIQUES

# Words and phrases a guide may not use (in its title, summary or body), by language. "Better than" is left out:
# a guide may report that a trial found one treatment did better than another, which is evidence, not a claim.
FORBIDDEN = {
    "en": [
        r"\bbest\b",
        r"\bcur(e|es|ed|ing)\b",
        r"\bguarantee(d|s)?\b",
        r"\bmost effective\b",
        r"\bmiracle",
    ],
    "fr": [
        r"\bmeilleur(e|s|es)?\b",
        r"\bguérir\b",
        r"\bguérit\b",
        r"\bgaranti(e|s|es|r)?\b",
        r"\ble plus efficace\b",
        r"\bmiracle",
    ],
}

GUIDES, ERRORS = guide_files_read(GUIDES_DIR)
FILES = sorted(GUIDES_DIR.glob("*.md"))
SLUGS_WITH_FILES = {path.name.split(".", 1)[0] for path in FILES}


def test_every_guide_file_parses_and_has_both_languages() -> None:
    assert FILES, f"no guide files in {GUIDES_DIR}"
    assert not ERRORS, "\n".join(str(e) for e in ERRORS)
    assert {g.slug for g in GUIDES} == SLUGS_WITH_FILES
    for slug in SLUGS_WITH_FILES:
        for language in LANGUAGES:
            assert (GUIDES_DIR / f"{slug}.{language}.md").is_file(), f"{slug}.{language}.md is missing"


def test_every_file_name_is_a_known_slug_of_its_kind() -> None:
    for guide in GUIDES:
        assert guide.slug in ALL_SLUGS, f"{guide.slug} is not in the fixed list of slugs (content/catalog.py)"
        assert guide.kind == KIND_OF_SLUG[guide.slug], f"{guide.slug} should be a {KIND_OF_SLUG[guide.slug]} guide"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.slug)
def test_techniques_disciplines_and_related_exist(guide: GuideData) -> None:
    for technique in guide.techniques:
        assert technique in TECHNIQUES, f"{guide.slug}: technique {technique!r} is not in demo.reference.TECHNIQUES"
    assert set(guide.disciplines) <= set(Discipline.values), f"{guide.slug}: disciplines {guide.disciplines}"
    assert 2 <= len(guide.related) <= 6, f"{guide.slug}: related lists {len(guide.related)} guides (2-6)"
    for other in guide.related:
        assert other in ALL_SLUGS | SLUGS_WITH_FILES, f"{guide.slug}: related {other!r} is not a guide"
    assert 1 <= len(guide.sources) <= 6, f"{guide.slug}: cite 1-6 sources (the format asks for 2-5)"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_links_go_only_to_guides_in_the_files_language(path: Path) -> None:
    language = path.name.split(".")[-2]
    _meta, body = split_front_matter(path, path.read_text(encoding="utf-8"))
    prefix = "/fr/guides/" if language == "fr" else "/guides/"
    for _image, target in LINK.findall(body):
        match = re.fullmatch(re.escape(prefix) + r"([a-z0-9-]+)/", target)
        assert match, f"{path.name}: link {target!r} is not {prefix}<slug>/"
        assert match.group(1) in ALL_SLUGS | SLUGS_WITH_FILES, f"{path.name}: no guide {match.group(1)!r}"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.slug)
def test_no_claims_of_superiority_cure_or_guarantee(guide: GuideData) -> None:
    for language, text in guide.text.items():
        for part, words in (("title", text.title), ("summary", text.summary), ("body", text.body)):
            for pattern in FORBIDDEN[language]:
                found = re.search(pattern, words, flags=re.IGNORECASE)
                assert found is None, f"{guide.slug}.{language}.md: {part} says {found.group(0)!r}" if found else ""


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.slug)
def test_each_language_has_a_faq_and_a_summary_fit_for_a_meta_description(guide: GuideData) -> None:
    for language, text in guide.text.items():
        assert 60 <= len(text.summary) <= 200, f"{guide.slug}.{language}.md: summary is {len(text.summary)} chars"
        assert text.faq, f"{guide.slug}.{language}.md: no [[faq]]"
    assert len(guide.text["en"].faq) == len(guide.text["fr"].faq), f"{guide.slug}: the FAQs differ in length"


def test_the_check_catches_a_forbidden_word() -> None:
    """The claim check is not vacuous: it flags a sentence that promises a cure."""
    assert any(re.search(p, "ART can cure your back", flags=re.IGNORECASE) for p in FORBIDDEN["en"])
    assert any(re.search(p, "Résultats garantis", flags=re.IGNORECASE) for p in FORBIDDEN["fr"])
    assert not any(re.search(p, "a secure procurement", flags=re.IGNORECASE) for p in FORBIDDEN["en"])
