"""Deleting the account of a circle's last host never leaves the circle unhosted silently.

The delete page asks them to hand each circle they host alone over first; if they go on,
they confirm that the circle passes to Hearth's staff, who are told, and the circle's page
says so until someone is made its host again.
"""

import pytest
from django.core import mail
from django.urls import reverse

from circles import actions as circle_actions
from circles.models import Circle, Membership
from members.actions import delete_account
from members.models import User
from tests.factories import TEST_PASSWORD, CircleFactory, MembershipFactory

URL = reverse("members:delete")


@pytest.fixture
def logged_in_host(client, host):
    client.force_login(host)
    return host


def test_the_page_asks_the_only_host_to_hand_the_circle_over(client, logged_in_host, circle):
    page = client.get(URL).content.decode()
    assert "You are the only host of a circle" in page
    assert f'href="/circles/{circle.slug}/manage/#members"' in page
    assert "Hearth's staff look after the circle" in page


def test_a_circle_with_another_host_is_not_mentioned(client, logged_in_host, circle, member):
    Membership.objects.filter(user=member).update(role=Membership.Role.HOST)
    page = client.get(URL).content.decode()
    assert "only host" not in page


def test_deleting_without_confirming_the_handover_deletes_nothing(client, logged_in_host, circle):
    response = client.post(URL, {"password": TEST_PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    assert "Please tick this to say you understand" in response.content.decode()
    assert User.objects.filter(pk=logged_in_host.pk).exists()
    circle.refresh_from_db()
    assert circle.staff_hosted_since is None


def test_confirmed_the_circle_passes_to_staff_who_are_told(
    client, logged_in_host, circle, member, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"password": TEST_PASSWORD, "confirm": "on", "pass_on": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=logged_in_host.pk).exists()
    circle.refresh_from_db()
    assert circle.staff_hosted_since is not None
    (email,) = [message for message in mail.outbox if message.to == [staff.email]]
    assert email.subject == "A circle needs a new host"
    assert f"/circles/{circle.slug}/manage/" in email.body
    client.force_login(member)
    page = client.get(reverse("circles:detail", args=[circle.slug])).content.decode()
    assert "Hearth's staff look after the circle" in page


def test_a_deletion_from_anywhere_passes_the_circle_on(host, circle):
    delete_account(host)
    circle.refresh_from_db()
    assert circle.staff_hosted_since is not None


def test_the_second_of_two_hosts_to_leave_passes_it_on_not_the_first(host, circle, member):
    Membership.objects.filter(user=member).update(role=Membership.Role.HOST)
    delete_account(host)
    circle.refresh_from_db()
    assert circle.staff_hosted_since is None
    delete_account(User.objects.get(pk=member.pk))
    circle.refresh_from_db()
    assert circle.staff_hosted_since is not None


def test_other_circles_of_the_host_are_untouched(host, circle):
    elsewhere = CircleFactory(name="Elsewhere")
    MembershipFactory(circle=elsewhere, user=host, role=Membership.Role.MEMBER)
    delete_account(host)
    assert Circle.objects.get(pk=elsewhere.pk).staff_hosted_since is None


def test_making_a_member_host_ends_the_staff_care(host, circle, member, staff):
    delete_account(host)
    membership = Membership.objects.get(user=member, circle=circle)
    circle_actions.change_role(membership, staff, Membership.Role.HOST)
    circle.refresh_from_db()
    assert circle.staff_hosted_since is None
