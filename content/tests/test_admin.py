"""Network staff edit guides in the admin: a save is recorded and marked, the preview is sanitized, publishing
is an action."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from content.models import Guide, RevisionSource
from content.tests.conftest import ART

pytestmark = pytest.mark.django_db

TEXTS = ("title", "summary", "body_markdown", "reviewer", "reviewer_credentials")
FORM_FIELDS = ["kind", "published", *(f"{name}_{lang}" for lang in ("en", "fr") for name in TEXTS)]


def change_form(guide: Guide, **changes: Any) -> dict[str, Any]:
    """The admin change form's POST for ``guide`` as it is, with ``changes``."""
    data: dict[str, Any] = {name: getattr(guide, name) for name in FORM_FIELDS}
    for name in ("techniques", "disciplines", "related", "sources", "faq_en", "faq_fr"):
        data[name] = json.dumps(getattr(guide, name))
    data["reviewed"] = guide.reviewed.isoformat()
    revisions = list(guide.revisions.all())
    data.update({"revisions-TOTAL_FORMS": len(revisions), "revisions-INITIAL_FORMS": len(revisions)})
    data.update({"revisions-MIN_NUM_FORMS": 0, "revisions-MAX_NUM_FORMS": 1000})
    for number, revision in enumerate(revisions):
        data[f"revisions-{number}-id"] = revision.pk
        data[f"revisions-{number}-guide"] = guide.pk
    data.update(changes)
    if not data["published"]:
        data.pop("published")
    return data


def test_an_admin_edit_is_saved_with_a_revision_and_marked(admin_client: Client, shipped_guides: list[str]) -> None:
    guide = Guide.objects.get(slug=ART)
    url = f"/admin/content/guide/{guide.pk}/change/"

    response = admin_client.post(url, change_form(guide, title_fr="L'ART, revue par le réseau"))

    assert response.status_code == 302, response.content.decode()[:3000]
    guide.refresh_from_db()
    assert guide.title_fr == "L'ART, revue par le réseau" and guide.edited_in_admin
    latest = guide.revisions.first()
    assert latest is not None
    assert latest.source == RevisionSource.ADMIN and latest.changed == ["title_fr"]
    assert latest.by is not None and latest.by.username == "admin"
    assert latest.before == {"title_fr": "La technique de relâchement actif (ART) : en quoi elle consiste et pour qui"}


def test_the_preview_is_the_sanitized_html(admin_client: Client, shipped_guides: list[str]) -> None:
    guide = Guide.objects.get(slug=ART)
    body = guide.body_markdown_en + "\n\n<script>alert(1)</script> [x](javascript:alert(1))\n"
    admin_client.post(f"/admin/content/guide/{guide.pk}/change/", change_form(guide, body_markdown_en=body))

    html = admin_client.get(f"/admin/content/guide/{guide.pk}/change/").content.decode()

    preview = html.split('class="guide-preview"')[1].split("</div>")[0]
    assert "<h2>What ART is</h2>" in preview
    assert "<script>" not in preview and "javascript:" not in preview
    guide.refresh_from_db()
    assert "<script>" not in guide.body_html_en


def test_staff_unpublish_and_publish_guides_with_actions(admin_client: Client, shipped_guides: list[str]) -> None:
    guide = Guide.objects.get(slug=ART)
    changelist = "/admin/content/guide/"

    admin_client.post(changelist, {"action": "unpublish", "_selected_action": [guide.pk]})
    guide.refresh_from_db()
    assert not guide.published and not guide.edited_in_admin  # publishing is not a content edit
    assert admin_client.get(f"/guides/{ART}/").status_code == 404

    admin_client.post(changelist, {"action": "publish", "_selected_action": [guide.pk]})
    guide.refresh_from_db()
    assert guide.published
    assert [r.changed for r in guide.revisions.all()[:2]] == [["published"], ["published"]]


def test_the_list_filters_and_searches(admin_client: Client, shipped_guides: list[str]) -> None:
    assert ART in admin_client.get("/admin/content/guide/?q=relâchement").content.decode()
    assert ART in admin_client.get("/admin/content/guide/?kind__exact=treatment").content.decode()
    assert ART not in admin_client.get("/admin/content/guide/?kind__exact=answer").content.decode()


def test_only_staff_reach_the_guides_admin(client: Client, shipped_guides: list[str]) -> None:
    response = client.get("/admin/content/guide/")
    assert response.status_code == 302 and "login" in response["Location"]
