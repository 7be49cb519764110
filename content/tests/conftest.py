from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from content.guide_files import GUIDES_DIR

ART = "active-release-technique"


@pytest.fixture
def guide_dir(tmp_path: Path) -> Path:
    """A folder holding a copy of the shipped ART guide (both languages)."""
    folder = tmp_path / "guides"
    folder.mkdir()
    for language in ("en", "fr"):
        shutil.copy(GUIDES_DIR / f"{ART}.{language}.md", folder / f"{ART}.{language}.md")
    return folder


@pytest.fixture
def edit_file(guide_dir: Path) -> Callable[[str, str, str], Path]:
    """``edit_file(language, old, new)``: replace text in the copy of the ART guide's file."""

    def edit(language: str, old: str, new: str) -> Path:
        path = guide_dir / f"{ART}.{language}.md"
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {path.name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path

    return edit


@pytest.fixture
def shipped_guides(db: object) -> list[str]:
    """Every guide shipped in content/guides/, loaded; their slugs."""
    from django.utils import timezone

    from content.guide_files import guide_files_read
    from content.services import guides_load

    guides, errors = guide_files_read()
    assert not errors
    guides_load(guides=guides, now=timezone.now())
    return [g.slug for g in guides]
