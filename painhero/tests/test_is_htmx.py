"""One htmx check for every view: a fragment only when htmx asks for one, never for a history restore."""

from __future__ import annotations

from django.test import RequestFactory

from painhero.http import is_htmx


def test_htmx_asks_for_a_fragment_with_its_header() -> None:
    assert is_htmx(RequestFactory().get("/", headers={"HX-Request": "true"}))


def test_a_plain_request_is_not_htmx() -> None:
    assert not is_htmx(RequestFactory().get("/"))


def test_a_history_restore_wants_the_whole_page_even_with_the_header() -> None:
    request = RequestFactory().get("/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert not is_htmx(request)
