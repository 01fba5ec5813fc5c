import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from members.models import User

SIGNUP = {
    "email": "newcomer@example.org",
    "display_name": "Quiet Lake",
    "time_zone": "Europe/Lisbon",
    "password1": "a calm evening by the lake",
    "password2": "a calm evening by the lake",
}


@pytest.mark.django_db
def test_signing_up_creates_an_unconfirmed_member_and_sends_a_confirmation(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    assert user.display_name == "Quiet Lake"
    assert user.time_zone == "Europe/Lisbon"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert "confirm-email" in mail.outbox[0].body


@pytest.mark.django_db
def test_confirming_the_email_logs_the_member_in(client):
    client.post(reverse("account_signup"), SIGNUP)
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body)[1]
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="newcomer@example.org").verified
    assert client.get(reverse("members:home")).status_code == 200


@pytest.mark.django_db
def test_an_unconfirmed_member_cannot_log_in(client):
    client.post(reverse("account_signup"), SIGNUP)
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": SIGNUP["email"], "password": SIGNUP["password1"]},
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert client.get(reverse("members:home")).status_code == 302


@pytest.mark.django_db
def test_a_taken_display_name_is_refused_and_the_rest_is_kept(client, user_factory):
    user_factory(display_name="Quiet Lake")
    response = client.post(reverse("account_signup"), {**SIGNUP, "display_name": "quiet lake"})
    assert response.status_code == 200
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
    page = response.content.decode()
    assert "Someone already uses that name" in page
    assert 'value="newcomer@example.org"' in page
    assert 'aria-invalid="true"' in page
    assert "a calm evening" not in page


@pytest.mark.django_db
def test_an_email_like_display_name_is_refused(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "display_name": "me@mail.org"})
    assert response.status_code == 200
    assert "can&#x27;t look like an email" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_an_unknown_time_zone_is_refused(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert not User.objects.exists()


@pytest.mark.django_db
def test_repeated_failed_logins_are_rate_limited_with_a_clear_message(client, user_factory):
    user = user_factory(email="someone@example.org")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_sends_a_link(client, user_factory):
    user = user_factory(email="forgetful@example.org")
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_logging_out_takes_a_post(client, user_factory):
    user = user_factory()
    client.force_login(user)
    client.post(reverse("account_logout"))
    assert client.get(reverse("members:home")).status_code == 302
