import pytest


@pytest.mark.django_db
def test_the_home_page_greets_patients(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Find a clinic" in response.content
