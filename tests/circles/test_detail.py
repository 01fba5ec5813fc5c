from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles.models import Membership
from tests.circles.conftest import bulk_users
from tests.factories import MembershipFactory


def url(circle):
    return reverse("circles:detail", args=[circle.slug])


def test_a_visitor_sees_the_agreements_and_the_member_count_but_no_names(
    client, circle, host, member
):
    response = client.get(url(circle))
    assert response.status_code == 200
    body = response.content.decode()
    assert "We listen without fixing" in body
    assert "2 members" in body
    assert member.display_name not in body
    assert host.display_name not in body
    assert "log in" in body


def test_a_member_sees_display_names_and_roles_but_never_emails(client_for, circle, host, member):
    body = client_for(member).get(url(circle)).content.decode()
    assert member.display_name in body
    assert host.display_name in body
    assert "Host" in body
    assert member.email not in body
    assert host.email not in body


def test_a_non_member_sees_a_join_button_that_fits_the_policy(client_for, circle, outsider):
    assert "Join this circle" in client_for(outsider).get(url(circle)).content.decode()
    circle.join_policy = "request"
    circle.save()
    assert "Ask to join" in client_for(outsider).get(url(circle)).content.decode()
    circle.join_policy = "invite"
    circle.save()
    body = client_for(outsider).get(url(circle)).content.decode()
    assert "invite only" in body
    assert "Join this circle" not in body


def test_a_pending_member_can_withdraw_their_request(client_for, circle, pending):
    body = client_for(pending).get(url(circle)).content.decode()
    assert "You asked to join" in body
    assert "Withdraw my request" in body


def test_a_member_sees_a_leave_button_and_no_join_form(client_for, circle, member):
    body = client_for(member).get(url(circle)).content.decode()
    assert "Leave this circle" in body
    assert "Join this circle" not in body


def test_a_full_circle_says_so_instead_of_offering_to_join(client_for, circle, member, outsider):
    circle.member_limit = 2
    circle.save()
    MembershipFactory(circle=circle)
    body = client_for(outsider).get(url(circle)).content.decode()
    assert "This circle is full" in body
    assert "Join this circle" not in body


def test_a_banned_member_cannot_see_the_circle(client_for, circle, banned):
    assert client_for(banned).get(url(circle)).status_code == 403


def test_an_unknown_circle_is_a_404(client, db):
    assert client.get("/circles/no-such-circle/").status_code == 404


def test_the_detail_page_refuses_post(client_for, circle, member):
    assert client_for(member).post(url(circle)).status_code == 405


def test_hosts_see_a_manage_link_with_the_number_of_requests(client_for, circle, host, pending):
    body = client_for(host).get(url(circle)).content.decode()
    assert "Manage this circle (1 request)" in body


def test_the_circle_shows_its_own_crisis_resources_or_the_default(client, circle, settings):
    assert "findahelpline" in client.get(url(circle)).content.decode()
    circle.crisis_resources = "Call the Lighthouse line: 0800 000 000"
    circle.save()
    assert "Lighthouse line" in client.get(url(circle)).content.decode()


def test_the_detail_page_runs_a_fixed_number_of_queries(
    client_for, circle, host, django_assert_max_num_queries
):
    client = client_for(host)
    client.get(url(circle))  # warm up the session
    with CaptureQueriesContext(connection) as few_members:
        client.get(url(circle))
    Membership.objects.bulk_create(
        Membership(circle=circle, user=user, state="active", accepted_version=1)
        for user in bulk_users(300)
    )
    with django_assert_max_num_queries(len(few_members)):
        response = client.get(url(circle))
    assert response.status_code == 200
    assert len(few_members) <= 16
    assert response.context["members"] and len(response.context["members"]) == 301


def test_the_only_host_is_told_how_to_leave_instead_of_a_leave_button(client_for, circle, host):
    body = client_for(host).get(url(circle)).content.decode()
    assert "only host" in body
    assert "Leave this circle" not in body
