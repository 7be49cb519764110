"""Writing guides: ``guide_save`` (every save, from the admin or a load) and ``guides_load`` (the shipped files).

Every save derives the HTML and the search text from the Markdown and records a ``GuideRevision`` of what
changed, in the same transaction. A guide edited in the admin is marked so, and a load never overwrites it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from content import markup
from content.catalog import LANGUAGES
from content.guide_files import GuideData, GuideFileError
from content.models import Guide, GuideRevision, RevisionSource

# The fields a revision records (derived ones, the HTML and the search text, follow from these).
TRACKED = (
    "kind",
    "slug",
    *(f"{name}_{lang}" for name in ("title", "summary", "body_markdown") for lang in LANGUAGES),
    "techniques",
    "disciplines",
    "related",
    "reviewed",
    *(f"{name}_{lang}" for name in ("reviewer", "reviewer_credentials", "faq") for lang in LANGUAGES),
    "sources",
    "published",
)


def _derive(guide: Guide) -> None:
    for lang in LANGUAGES:
        body_html = markup.render(getattr(guide, f"body_markdown_{lang}"))
        setattr(guide, f"body_html_{lang}", body_html)
        parts = (getattr(guide, f"title_{lang}"), getattr(guide, f"summary_{lang}"), markup.plain_text(body_html))
        setattr(guide, f"search_{lang}", markup.search_text(*parts))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def guide_save(*, guide: Guide, by: User | None, source: RevisionSource, now: dt.datetime) -> GuideRevision | None:
    """Save ``guide`` with its derived fields and a revision of what changed; None (and no write) if nothing did.

    An admin save marks the guide ``edited_in_admin``, which keeps ``guides_load`` from overwriting it.
    """
    for lang in LANGUAGES:  # as a browser's textarea sends it (CRLF) or a file holds it: the same text
        name = f"body_markdown_{lang}"
        setattr(guide, name, getattr(guide, name).replace("\r\n", "\n").strip())
    before = Guide.objects.select_for_update().filter(pk=guide.pk).first() if guide.pk else None
    changed = [name for name in TRACKED if before is None or getattr(before, name) != getattr(guide, name)]
    if before is not None and not changed:
        return None
    _derive(guide)
    if source == RevisionSource.ADMIN and before is not None and any(name != "published" for name in changed):
        guide.edited_in_admin = True
    guide.full_clean(exclude=["body_html_en", "body_html_fr", "search_en", "search_fr"], validate_unique=False)
    guide.save()
    return GuideRevision.objects.create(
        guide=guide,
        at=now,
        by=by,
        source=source,
        changed=changed,
        before={name: _jsonable(getattr(before, name)) for name in changed} if before is not None else {},
    )


@transaction.atomic
def guides_publish(*, guides: Iterable[Guide], published: bool, by: User | None, now: dt.datetime) -> int:
    """Publish (or unpublish) ``guides``; how many changed. Each change is a revision of its own."""
    count = 0
    for guide in guides:
        if guide.published != published:
            guide.published = published
            guide_save(guide=guide, by=by, source=RevisionSource.ADMIN, now=now)
            count += 1
    return count


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_admin_edits: list[str] = field(default_factory=list)  # the file changed, but the admin's edit stays

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.kept_admin_edits)} kept as edited in the admin"
        )


def _fill(guide: Guide, data: GuideData) -> None:
    guide.kind = data.kind
    guide.techniques, guide.disciplines, guide.related = data.techniques, data.disciplines, data.related
    guide.reviewed, guide.sources = data.reviewed, data.sources
    for lang, text in data.text.items():
        setattr(guide, f"title_{lang}", text.title)
        setattr(guide, f"summary_{lang}", text.summary)
        setattr(guide, f"body_markdown_{lang}", text.body)
        setattr(guide, f"reviewer_{lang}", text.reviewer)
        setattr(guide, f"reviewer_credentials_{lang}", text.reviewer_credentials)
        setattr(guide, f"faq_{lang}", text.faq)


def guides_load(
    *,
    guides: list[GuideData],
    now: dt.datetime,
    overwrite_admin_edits: bool = False,
    progress: Callable[[GuideData], None] | None = None,
) -> LoadReport:
    """Create the guides that are missing and update those whose files changed since their last load.

    A guide edited in the admin since its last load is left as it is (reported in ``kept_admin_edits``) unless
    ``overwrite_admin_edits``. Loading the same files twice changes nothing. Each guide is its own transaction,
    so an error in one leaves the others loaded.
    """
    report = LoadReport()
    for data in guides:
        with transaction.atomic():
            guide = Guide.objects.select_for_update().filter(slug=data.slug).first()
            if guide is not None and guide.source_hash == data.source_hash and not guide.edited_in_admin:
                report.unchanged.append(data.slug)
            elif guide is not None and guide.edited_in_admin and not overwrite_admin_edits:
                (report.unchanged if guide.source_hash == data.source_hash else report.kept_admin_edits).append(
                    data.slug
                )
            else:
                created = guide is None
                guide = guide or Guide(slug=data.slug)
                _fill(guide, data)
                try:
                    guide_save(guide=guide, by=None, source=RevisionSource.LOAD, now=now)
                except (ValidationError, DatabaseError) as exc:  # a value the model or database refuses: say which
                    raise GuideFileError(f"{data.slug}.en.md", "guide", str(exc)) from exc
                Guide.objects.filter(pk=guide.pk).update(
                    source_hash=data.source_hash, loaded_at=now, edited_in_admin=False
                )
                (report.created if created else report.updated).append(data.slug)
        if progress is not None:
            progress(data)
    return report
