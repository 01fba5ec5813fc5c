import json

import pytest
from django.urls import reverse

from members.models import User


@pytest.fixture
def logged_in(client, user_factory):
    user = user_factory(display_name="Quiet Lake", pronouns="she/her")
    client.force_login(user)
    return user


def test_download_my_data_gives_everything_stored_about_me(client, logged_in):
    response = client.get(reverse("members:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["format"] == "hearth-member-data/1"
    assert data["profile"]["email"] == logged_in.email
    assert data["profile"]["display_name"] == "Quiet Lake"
    assert data["profile"]["pronouns"] == "she/her"
    assert data["profile"]["email_addresses"][0]["verified"] is True


def test_download_requires_login(client, db):
    assert client.get(reverse("members:export")).status_code == 302


def test_deleting_my_account_removes_my_personal_data(client, logged_in):
    response = client.post(
        reverse("members:delete"), {"password": "a-long-test-passphrase", "confirm": "on"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=logged_in.pk).exists()
    assert client.get(reverse("members:home")).status_code == 302


def test_a_wrong_password_deletes_nothing(client, logged_in):
    response = client.post(reverse("members:delete"), {"password": "nope", "confirm": "on"})
    assert response.status_code == 200
    assert "That password is not right" in response.content.decode()
    assert User.objects.filter(pk=logged_in.pk).exists()


def test_deletion_must_be_confirmed(client, logged_in):
    response = client.post(reverse("members:delete"), {"password": "a-long-test-passphrase"})
    assert response.status_code == 200
    assert User.objects.filter(pk=logged_in.pk).exists()


def test_a_deleted_members_other_sessions_stop_working(client, logged_in):
    from django.test import Client

    other_device = Client()
    other_device.force_login(logged_in)
    client.post(reverse("members:delete"), {"password": "a-long-test-passphrase", "confirm": "on"})
    assert other_device.get(reverse("members:home")).status_code == 302
