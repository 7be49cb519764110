"""The interop admin pages open; imported openings are read only there."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse

from interop.ingest import feed_read
from interop.models import FeedSubscription, ImportedOpening
from interop.services import smart_import
from interop.tests.test_smart_import import MANIFEST
from painhero.testing import NOW


def test_the_pages_open_and_imported_openings_cannot_be_edited(client: Any, feedside: dict[str, Any]) -> None:
    smart_import(feed=feed_read(MANIFEST), clinic=feedside["clinic"], now=NOW)
    FeedSubscription.objects.create(clinic=feedside["clinic"], manifest_url=MANIFEST)
    client.force_login(get_user_model().objects.create_superuser("root", "root@painhero.test", "not-a-real-password"))
    for model in (FeedSubscription, ImportedOpening):
        meta = model._meta
        assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")).status_code == 200
    row = ImportedOpening.objects.first()
    assert row is not None
    page = client.get(reverse("admin:interop_importedopening_change", args=[row.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(reverse("admin:interop_importedopening_add")).status_code == 403
    sub = FeedSubscription.objects.get()
    assert client.get(reverse("admin:interop_feedsubscription_change", args=[sub.pk])).status_code == 200
