"""content_load: creates what is missing, updates what changed, never overwrites an admin edit, names bad files."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from content.models import Guide, GuideRevision, RevisionSource
from content.services import guide_save
from content.tests.conftest import ART

pytestmark = pytest.mark.django_db


def load(folder: Path, *args: str) -> str:
    out = StringIO()
    call_command("content_load", "--dir", str(folder), *args, stdout=out, verbosity=0)
    return out.getvalue()


def test_it_creates_the_guide_with_both_languages_rendered_and_a_revision(guide_dir: Path) -> None:
    output = load(guide_dir)

    guide = Guide.objects.get(slug=ART)
    assert "1 created" in output
    assert guide.kind == "treatment" and guide.published
    assert guide.title_en.startswith("Active Release Technique")
    assert guide.title_fr.startswith("La technique de relâchement actif")
    assert "<h2>What ART is</h2>" in guide.body_html_en
    assert 'href="/fr/guides/art-vs-massage/"' in guide.body_html_fr
    assert "relachement actif" in guide.search_fr  # folded: accents gone
    assert guide.techniques == ["active-release-technique"]
    assert len(guide.faq_en) == len(guide.faq_fr) == 4
    assert guide.source_hash and not guide.edited_in_admin
    (revision,) = guide.revisions.all()
    assert revision.source == RevisionSource.LOAD and "body_markdown_en" in revision.changed


def test_loading_the_same_files_twice_changes_nothing(guide_dir: Path) -> None:
    load(guide_dir)
    before = Guide.objects.values().get(slug=ART)

    output = load(guide_dir)

    assert "0 created, 0 updated, 1 unchanged" in output
    assert Guide.objects.values().get(slug=ART) == before
    assert GuideRevision.objects.count() == 1


def test_a_changed_file_updates_the_guide_and_records_what_changed(
    guide_dir: Path, edit_file: Callable[[str, str, str], Path]
) -> None:
    load(guide_dir)
    edit_file("fr", "Comité de révision clinique de PainHero", "Comité clinique de PainHero")

    output = load(guide_dir)

    assert "1 updated" in output
    guide = Guide.objects.get(slug=ART)
    assert guide.reviewer_fr == "Comité clinique de PainHero"
    latest = guide.revisions.first()
    assert latest is not None
    assert latest.changed == ["reviewer_fr"]
    assert latest.before == {"reviewer_fr": "Comité de révision clinique de PainHero"}


def test_an_admin_edit_is_never_overwritten_by_a_later_load(
    guide_dir: Path, edit_file: Callable[[str, str, str], Path], admin_user: Any
) -> None:
    load(guide_dir)
    guide = Guide.objects.get(slug=ART)
    guide.title_en = "ART, as the network's editor wrote it"
    guide_save(guide=guide, by=admin_user, source=RevisionSource.ADMIN, now=timezone.now())
    edit_file("en", "what it is and who it can help", "what it is (changed file)")

    output = load(guide_dir)

    guide.refresh_from_db()
    assert guide.title_en == "ART, as the network's editor wrote it"
    assert guide.edited_in_admin
    assert "1 kept as edited in the admin" in output
    assert f"{ART}: edited in the admin since its last load" in output

    load(guide_dir, "--overwrite-admin-edits")
    guide.refresh_from_db()
    assert guide.title_en == "Active Release Technique (ART): what it is (changed file)"
    assert not guide.edited_in_admin


def test_publishing_in_the_admin_is_not_an_edit_that_blocks_loads(
    guide_dir: Path, edit_file: Callable[[str, str, str], Path], admin_user: Any
) -> None:
    load(guide_dir)
    guide = Guide.objects.get(slug=ART)
    guide.published = False
    guide_save(guide=guide, by=admin_user, source=RevisionSource.ADMIN, now=timezone.now())
    edit_file("en", "what it is and who it can help", "what it is")

    load(guide_dir)

    guide.refresh_from_db()
    assert guide.title_en.endswith("what it is") and not guide.published  # the file loads; the choice stays


@pytest.mark.parametrize(
    ("language", "old", "new", "field"),
    [
        ("en", 'kind = "treatment"', 'kind = "massage"', "kind"),
        ("fr", "reviewed = 2026-11-23", 'reviewed = "last week"', "reviewed"),
        ("en", 'related = ["art-vs-massage"', 'related = ["no-such-guide"', "related"),
        ("en", "## What ART is", "## What ART is\n\n<script>alert(1)</script>", "body"),
        ("fr", "(/fr/guides/art-vs-massage/)", "(https://example.com/)", "body"),
        ("en", "year = 2017", 'year = "2017"', "sources #3"),
        ("fr", 'techniques = ["active-release-technique"]', 'techniques = ["x y"]', "techniques"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_the_field(
    guide_dir: Path, edit_file: Callable[[str, str, str], Path], language: str, old: str, new: str, field: str
) -> None:
    edit_file(language, old, new)

    with pytest.raises(CommandError) as caught:
        load(guide_dir)

    assert f"{ART}.{language}.md: {field}:" in str(caught.value)
    assert not Guide.objects.exists()  # nothing is loaded while any file is wrong


def test_a_guide_needs_both_languages(guide_dir: Path) -> None:
    (guide_dir / f"{ART}.fr.md").unlink()

    with pytest.raises(CommandError, match=rf"{ART}.fr.md is missing"):
        load(guide_dir)


def test_shared_fields_must_agree_between_the_languages(
    guide_dir: Path, edit_file: Callable[[str, str, str], Path]
) -> None:
    edit_file("fr", "reviewed = 2026-11-23", "reviewed = 2026-11-24")

    with pytest.raises(CommandError, match=rf"{ART}.fr.md: reviewed: differs from {ART}.en.md"):
        load(guide_dir)


def test_the_database_refuses_an_unknown_kind_and_a_guide_without_french(guide_dir: Path) -> None:
    load(guide_dir)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Guide.objects.filter(slug=ART).update(kind="opinion")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Guide.objects.filter(slug=ART).update(title_fr="")
