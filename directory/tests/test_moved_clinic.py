"""A clinic moved in the admin is searched for at its new place at once, not after its next refresh.

The next openings and open days carry a copy of the clinic's place (the soonest walk and "available today" test
the search's box on it). The admin's save asks for the clinic's next openings to be recomputed when the place or
the time zone changes; without that, the moved clinic's rows would stay at the old place for up to six hours.
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse

from clinics.models import Clinic
from clinics.testing import make_city
from directory.search import SearchParams
from directory.selectors import clinic_search
from scheduling import cache, search
from scheduling.models import NextOpenTime, OpenDay
from scheduling.testing import make_open_clinic, toronto

pytestmark = pytest.mark.django_db

NOW = toronto(2026, 3, 2, 8, 0)  # a Monday
TORONTO = (43.6532, -79.3832)
OTTAWA = (45.4215, -75.6972)


def _post_data(response: Any) -> dict[str, Any]:
    """The change form's fields as the admin rendered them (the main form and every inline), ready to post back."""
    forms = [response.context["adminform"].form]
    data: dict[str, Any] = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms += formset.initial_forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def _soonest_near(point: tuple[float, float]) -> list[tuple[str, bool]]:
    page = clinic_search(
        params=SearchParams(lat=point[0], lng=point[1], radius_km=25, discipline="physiotherapy", sort="soonest"),
        now=NOW,
    )
    return [(hit.clinic.name, hit.next_available is not None) for hit in page.items]


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@painhero.test", "not-a-real-password"))
    return client


def test_a_clinic_moved_in_the_admin_is_found_soonest_first_at_its_new_place(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(search, "SMALL_AREA", 0)  # the walk, as in any dense area
    toronto_city = make_city(name="Toronto", slug="toronto", latitude=TORONTO[0], longitude=TORONTO[1])
    here, _people, _service = make_open_clinic(blocks=(("11:00", "17:00"),))
    moving, _people, _service = make_open_clinic()  # from 09:00: sooner than ``here``
    Clinic.objects.filter(pk=here.pk).update(name="Here", city=toronto_city, latitude=TORONTO[0], longitude=TORONTO[1])
    Clinic.objects.filter(pk=moving.pk).update(name="Moving", latitude=OTTAWA[0], longitude=OTTAWA[1])
    cache.next_open_times_refresh(clinic_ids=[here.pk, moving.pk], now=NOW)
    assert _soonest_near(TORONTO) == [("Here", True)]

    with time_machine.travel(NOW, tick=False):
        change = reverse("admin:clinics_clinic_change", args=[moving.pk])
        data = _post_data(admin_client.get(change))
        data.update(city=str(toronto_city.pk), latitude=str(TORONTO[0]), longitude=str(TORONTO[1]))
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response

    assert set(NextOpenTime.objects.filter(clinic=moving).values_list("latitude", "longitude")) == {TORONTO}
    assert set(OpenDay.objects.filter(clinic=moving).values_list("latitude", "longitude")) == {TORONTO}
    assert _soonest_near(TORONTO) == [("Moving", True), ("Here", True)]
    assert _soonest_near(OTTAWA) == []


def test_an_edit_that_leaves_the_place_alone_recomputes_nothing(admin_client, django_capture_on_commit_callbacks):
    clinic, _people, _service = make_open_clinic()
    cache.next_open_times_refresh(clinic_ids=[clinic.pk], now=NOW)
    computed = set(NextOpenTime.objects.values_list("pk", "computed_at"))

    change = reverse("admin:clinics_clinic_change", args=[clinic.pk])
    data = _post_data(admin_client.get(change))
    data.update(description="Now open on Saturdays.")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change, data)

    assert response.status_code == 302
    assert Clinic.objects.get(pk=clinic.pk).description == "Now open on Saturdays."
    assert set(NextOpenTime.objects.values_list("pk", "computed_at")) == computed
