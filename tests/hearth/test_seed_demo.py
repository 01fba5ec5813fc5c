import logging
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import override_settings

from members.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from members.models import User

pytestmark = pytest.mark.django_db

EMAILS = [email for _, email, *_ in DEMO_ACCOUNTS]


@override_settings(DEBUG=True)
def test_it_creates_every_demo_account_with_a_confirmed_email():
    call_command("seed_demo", stdout=StringIO())
    assert sorted(User.objects.values_list("email", flat=True)) == sorted(EMAILS)
    for email in EMAILS:
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user, email=email).verified
    assert User.objects.get(email="staff@hearth.example").is_staff
    assert not User.objects.get(email="alex@hearth.example").is_staff


@override_settings(DEBUG=True)
def test_it_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    counts = User.objects.count(), EmailAddress.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert (User.objects.count(), EmailAddress.objects.count()) == counts


@override_settings(DEBUG=True)
def test_it_sends_no_email_and_logs_nothing_below_a_warning(caplog, mailoutbox):
    with caplog.at_level(logging.DEBUG):
        call_command("seed_demo", stdout=StringIO())
    assert mailoutbox == []
    assert [record.getMessage() for record in caplog.records] == []
    assert logging.getLogger("meetings").isEnabledFor(logging.INFO)  # and after, it logs again


@override_settings(DEBUG=False)
def test_it_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.exists()


@override_settings(DEBUG=False)
def test_it_runs_with_debug_off_when_forced():
    call_command("seed_demo", "--force", stdout=StringIO())
    assert User.objects.filter(email__in=EMAILS).count() == len(EMAILS)


@override_settings(DEBUG=True)
def test_demo_members_can_log_in(client):
    call_command("seed_demo", stdout=StringIO())
    response = client.post(
        "/accounts/login/", {"login": "alex@hearth.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200
