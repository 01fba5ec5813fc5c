import pytest
from django.urls import reverse


@pytest.fixture
def logged_in(client, user_factory):
    user = user_factory(display_name="Quiet Lake", time_zone="UTC")
    client.force_login(user)
    return user


def test_it_requires_login(client, db):
    response = client.get(reverse("members:settings"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_saves_the_profile(client, logged_in):
    response = client.post(
        reverse("members:settings"),
        {
            "display_name": "Still Water",
            "pronouns": "they/them",
            "time_zone": "America/Chicago",
        },
    )
    assert response.status_code == 302
    logged_in.refresh_from_db()
    assert (logged_in.display_name, logged_in.pronouns, logged_in.time_zone) == (
        "Still Water",
        "they/them",
        "America/Chicago",
    )
    assert logged_in.email_reminders is False


def test_bad_input_changes_nothing_and_keeps_what_was_typed(client, logged_in, user_factory):
    user_factory(display_name="Taken Name")
    response = client.post(
        reverse("members:settings"),
        {"display_name": "taken name", "pronouns": "she/her", "time_zone": "Nowhere/Town"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone already uses that name" in page
    assert 'value="she/her"' in page
    logged_in.refresh_from_db()
    assert (logged_in.display_name, logged_in.pronouns) == ("Quiet Lake", "")


def test_times_are_shown_in_the_members_zone(client, logged_in):
    from django.utils import timezone

    logged_in.time_zone = "Asia/Tokyo"
    logged_in.save()
    client.get(reverse("members:home"))
    assert timezone.get_current_timezone_name() == "Asia/Tokyo"


def test_the_home_page_greets_by_display_name_never_email(client, logged_in):
    page = client.get(reverse("members:home")).content.decode()
    assert "Welcome, Quiet Lake" in page
    assert logged_in.email not in page


def test_it_refuses_other_methods(client, logged_in):
    assert client.put(reverse("members:settings")).status_code == 405
