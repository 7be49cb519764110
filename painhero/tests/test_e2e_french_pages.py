"""French pages in headless Chromium: filter drop-downs show their whole choice, the map's zoom buttons speak French."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from clinics.testing import make_city, make_clinic, make_practitioner, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For each filter drop-down: the width its chosen text needs (in its own font, plus its padding) and the width
# it has. Text that needs more is cut off ("Toutes les disci...").
WIDTHS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll(".filters select")].map((select) => {
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = select.options[select.selectedIndex].text;
    const needed = canvas.measureText(text).width + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    return { text, needed: Math.ceil(needed), has: select.clientWidth };
  });
}"""


@pytest.fixture
def clinic() -> Any:
    toronto = make_city(name="Toronto", name_fr="Toronto", slug="toronto")
    clinic = make_clinic(city=toronto, name="King Street Physio", slug="king-street-physio")
    make_service(clinic=clinic, practitioners=[make_practitioner(clinic=clinic)])
    return clinic


@pytest.mark.parametrize("width", [1280, 1024, 390])
def test_french_filter_drop_downs_show_their_whole_choice(page: Any, live_server: Any, clinic: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/fr/clinics/toronto/")
    summary = page.locator(".filters__summary")
    if summary.is_visible():  # folded on a phone
        summary.click()
    widths = page.evaluate(WIDTHS)
    assert any(w["text"].startswith("Toutes les") for w in widths)
    cut = [w for w in widths if w["needed"] > w["has"]]
    assert not cut, f"cut off at {width}px: {cut}"


def test_the_maps_zoom_buttons_are_titled_in_french(page: Any, live_server: Any, clinic: Any) -> None:
    page.goto(f"{live_server.url}/fr/clinics/toronto/king-street-physio/")
    zoom_in = page.locator(".leaflet-control-zoom-in")
    zoom_in.wait_for()
    with translation.override("fr"):
        expected = (gettext("Zoom in"), gettext("Zoom out"))  # "Zoom avant", "Zoom arrière" in the catalog
    titles = (zoom_in.get_attribute("title"), page.locator(".leaflet-control-zoom-out").get_attribute("title"))
    assert titles == expected
    # They come from the page (translated there), not from Leaflet's English defaults.
    map_element = page.locator("[data-clinic-map]")
    assert titles == (map_element.get_attribute("data-zoom-in-title"), map_element.get_attribute("data-zoom-out-title"))
