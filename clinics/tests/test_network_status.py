"""Who patients see: admitted clinics and those on probation, through every listing (DESIGN.md invariant 11)."""

from __future__ import annotations

import pytest
from django.test import Client

from clinics.models import Clinic, NetworkStatus
from painhero.testing import World


def _set(clinic: Clinic, status: str) -> None:
    clinic.network_status = status
    clinic.save(update_fields=["network_status"])


@pytest.mark.parametrize("status", [NetworkStatus.IN_NETWORK, NetworkStatus.PROBATION])
def test_admitted_and_probation_clinics_are_listed_in_the_api_and_on_their_page(
    client: Client, world: World, status: str
) -> None:
    _set(world.clinic, status)
    assert set(Clinic.objects.in_network().values_list("pk", flat=True)) == {world.clinic.pk, world.other_clinic.pk}
    assert client.get(f"/api/v1/clinics/{world.clinic.pk}").status_code == 200
    assert client.get(f"/clinics/{world.clinic.city.slug}/{world.clinic.slug}/").status_code == 200


@pytest.mark.parametrize("status", [NetworkStatus.APPLICANT, NetworkStatus.SUSPENDED, NetworkStatus.REMOVED])
def test_applicant_suspended_and_removed_clinics_are_not_listed(client: Client, world: World, status: str) -> None:
    _set(world.clinic, status)
    assert list(Clinic.objects.in_network().values_list("pk", flat=True)) == [world.other_clinic.pk]
    assert client.get(f"/api/v1/clinics/{world.clinic.pk}").status_code == 404
    assert client.get(f"/clinics/{world.clinic.city.slug}/{world.clinic.slug}/").status_code == 404
