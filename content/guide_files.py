"""Reading the guide files (content/guides/<slug>.<en|fr>.md): TOML front matter between ``+++`` lines, then Markdown.

``guide_files_read`` parses and checks every file of a folder and pairs the two languages of each slug; every
problem found is a ``GuideFileError`` naming the file and the field, all of them reported at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinics.models import Discipline
from content.catalog import ALL_SLUGS, KIND_OF_SLUG, LANGUAGES, Kind
from content.models import REVIEWED_MAX, REVIEWED_MIN

GUIDES_DIR = Path(__file__).resolve().parent / "guides"
FILE_NAME = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<language>en|fr)\.md$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A Markdown link or image: [text](target) / ![alt](target).
LINK = re.compile(r"(!?)\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
RAW_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
SHARED = ("kind", "techniques", "disciplines", "related", "reviewed", "sources")
TITLE_MAX, SUMMARY_MAX = 200, 300


class GuideFileError(ValueError):
    def __init__(self, path: Path | str, field_name: str, message: str) -> None:
        self.path = str(path)
        self.field = field_name
        super().__init__(f"{Path(self.path).name}: {field_name}: {message}")


@dataclass
class GuideText:
    """One language of a guide, as its file says."""

    title: str
    summary: str
    body: str
    reviewer: str
    reviewer_credentials: str
    faq: list[dict[str, str]]


@dataclass
class GuideData:
    """A guide as its two files say, ready to be saved."""

    slug: str
    kind: str
    techniques: list[str]
    disciplines: list[str]
    related: list[str]
    reviewed: dt.date
    sources: list[dict[str, Any]]
    text: dict[str, GuideText] = field(default_factory=dict)  # by language
    source_hash: str = ""


def split_front_matter(path: Path, raw: str) -> tuple[dict[str, Any], str]:
    lines = raw.splitlines(keepends=True)
    if not lines or lines[0].strip() != "+++":
        raise GuideFileError(path, "front matter", "the file must start with a line of +++")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise GuideFileError(path, "front matter", "no closing line of +++ after the front matter") from None
    try:
        meta = tomllib.loads("".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise GuideFileError(path, "front matter", f"not valid TOML: {exc}") from None
    return meta, "".join(lines[end + 1 :]).strip()


def _text(path: Path, meta: dict[str, Any], name: str, *, maximum: int = 300) -> str:
    value = meta.get(name)
    if not isinstance(value, str) or not value.strip():
        raise GuideFileError(path, name, "missing or empty (a string is needed)")
    if len(value) > maximum:
        raise GuideFileError(path, name, f"too long ({len(value)} characters, at most {maximum})")
    return value.strip()


def _slugs(path: Path, meta: dict[str, Any], name: str) -> list[str]:
    value = meta.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and SLUG.match(v) for v in value):
        raise GuideFileError(path, name, 'must be a list of slugs, e.g. ["dry-needling"]')
    if len(set(value)) != len(value):
        raise GuideFileError(path, name, "lists a slug twice")
    return list(value)


def _tables(path: Path, meta: dict[str, Any], name: str, keys: dict[str, type]) -> list[dict[str, Any]]:
    value = meta.get(name, [])
    if not isinstance(value, list):
        raise GuideFileError(path, name, f"must be [[{name}]] tables")
    rows = []
    for number, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            raise GuideFileError(path, f"{name} #{number}", "must be a table")
        for key, kind in keys.items():
            item = row.get(key)
            if not isinstance(item, kind) or (isinstance(item, str) and not item.strip()):
                raise GuideFileError(path, f"{name} #{number}", f"{key} is missing or not a {kind.__name__}")
        unknown = set(row) - set(keys)
        if unknown:
            raise GuideFileError(path, f"{name} #{number}", f"unknown keys {sorted(unknown)}: use {sorted(keys)}")
        rows.append({key: row[key].strip() if isinstance(row[key], str) else row[key] for key in keys})
    return rows


def _check_body(path: Path, body: str, *, language: str, known: frozenset[str]) -> None:
    if not body.strip():
        raise GuideFileError(path, "body", "empty: write the guide below the closing +++")
    if re.search(r"^# ", body, flags=re.MULTILINE):
        raise GuideFileError(path, "body", "no # heading (the page shows the title): start sections with ##")
    if RAW_HTML.search(body):
        raise GuideFileError(path, "body", "raw HTML is not allowed: write plain Markdown")
    prefix = "/fr/guides/" if language == "fr" else "/guides/"
    for image, target in LINK.findall(body):
        if image:
            raise GuideFileError(path, "body", f"images are not allowed ({target})")
        match = re.fullmatch(re.escape(prefix) + r"([a-z0-9-]+)/", target)
        if match is None:
            raise GuideFileError(path, "body", f"link {target!r}: link only to guides, as {prefix}<slug>/")
        if match.group(1) not in known:
            raise GuideFileError(path, "body", f"link {target!r}: there is no guide {match.group(1)!r}")


def guide_file_read(path: Path, *, known: frozenset[str] = ALL_SLUGS) -> tuple[dict[str, Any], GuideText, str]:
    """One file's shared fields, its language's text and its raw content; ``GuideFileError`` if it is wrong."""
    match = FILE_NAME.match(path.name)
    if match is None:
        raise GuideFileError(path, "file name", "must be <slug>.en.md or <slug>.fr.md (lower-case slug)")
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise GuideFileError(path, "file", "not UTF-8 text") from None
    meta, body = split_front_matter(path, raw)
    kind = meta.get("kind")
    if kind not in Kind.values:
        raise GuideFileError(path, "kind", f"{kind!r} is not one of {', '.join(Kind.values)}")
    slug = meta.get("slug")
    if slug != match.group("slug"):
        raise GuideFileError(path, "slug", f"{slug!r} does not match the file name ({match.group('slug')!r})")
    if slug in KIND_OF_SLUG and KIND_OF_SLUG[slug] != kind:
        raise GuideFileError(path, "kind", f"{slug} is a {KIND_OF_SLUG[slug]} guide, not a {kind}")
    techniques = _slugs(path, meta, "techniques")
    disciplines = meta.get("disciplines", [])
    if not isinstance(disciplines, list) or not set(disciplines) <= set(Discipline.values):
        raise GuideFileError(path, "disciplines", f"must be a list of {', '.join(Discipline.values)}")
    related = _slugs(path, meta, "related")
    for other in related:
        if other not in known:
            raise GuideFileError(path, "related", f"there is no guide {other!r}")
        if other == slug:
            raise GuideFileError(path, "related", "a guide cannot be related to itself")
    reviewed = meta.get("reviewed")
    if not isinstance(reviewed, dt.date) or isinstance(reviewed, dt.datetime):
        raise GuideFileError(path, "reviewed", "must be a TOML date, e.g. reviewed = 2026-11-23")
    if not REVIEWED_MIN <= reviewed < REVIEWED_MAX:
        raise GuideFileError(path, "reviewed", f"{reviewed} is outside {REVIEWED_MIN}..{REVIEWED_MAX}")
    sources = _tables(path, meta, "sources", {"authors": str, "title": str, "journal": str, "year": int})
    for number, source in enumerate(sources, start=1):
        if not 1900 <= source["year"] <= REVIEWED_MAX.year:
            raise GuideFileError(path, f"sources #{number}", f"year {source['year']} is not a plausible year")
    faq = _tables(path, meta, "faq", {"question": str, "answer": str})
    language = match.group("language")
    _check_body(path, body, language=language, known=known)
    known_keys = {*SHARED, "slug", "title", "summary", "reviewer", "reviewer_credentials", "faq"}
    unknown = set(meta) - known_keys
    if unknown:
        raise GuideFileError(path, "front matter", f"unknown keys {sorted(unknown)}")
    text = GuideText(
        title=_text(path, meta, "title", maximum=TITLE_MAX),
        summary=_text(path, meta, "summary", maximum=SUMMARY_MAX),
        body=body,
        reviewer=_text(path, meta, "reviewer", maximum=200),
        reviewer_credentials=_text(path, meta, "reviewer_credentials", maximum=300),
        faq=faq,
    )
    shared = {
        "kind": kind,
        "techniques": techniques,
        "disciplines": list(disciplines),
        "related": related,
        "reviewed": reviewed,
        "sources": sources,
    }
    return shared, text, raw


def guide_files_read(folder: Path = GUIDES_DIR) -> tuple[list[GuideData], list[GuideFileError]]:
    """Every guide of ``folder`` with both its languages, and the errors of those that could not be read."""
    paths = sorted(folder.glob("*.md"))
    known = ALL_SLUGS | {p.name.split(".", 1)[0] for p in paths}
    by_slug: dict[str, dict[str, tuple[Path, dict[str, Any], GuideText, str]]] = {}
    errors: list[GuideFileError] = []
    broken: set[str] = set()  # a slug with a file in error is left out whole
    for path in paths:
        slug = path.name.split(".", 1)[0]
        try:
            shared, text, raw = guide_file_read(path, known=known)
        except GuideFileError as exc:
            errors.append(exc)
            broken.add(slug)
            continue
        by_slug.setdefault(slug, {})[path.name.split(".")[-2]] = (path, shared, text, raw)
    guides = []
    for slug, files in sorted(by_slug.items()):
        if slug in broken:
            continue
        missing = [lang for lang in LANGUAGES if lang not in files]
        if missing:
            present = next(iter(files.values()))[0]
            errors.append(GuideFileError(present, "language", f"{slug}.{missing[0]}.md is missing: write both"))
            continue
        (en_path, en, en_text, en_raw), (fr_path, fr, fr_text, fr_raw) = files["en"], files["fr"]
        differ = [name for name in SHARED if en[name] != fr[name]]
        if differ:
            errors.append(GuideFileError(fr_path, differ[0], f"differs from {en_path.name}: keep it the same"))
            continue
        digest = hashlib.sha256(en_raw.encode() + b"\0" + fr_raw.encode()).hexdigest()
        guides.append(GuideData(slug=slug, **en, text={"en": en_text, "fr": fr_text}, source_hash=digest))
    return guides, errors
