import pytest
from django.urls import reverse

from circles.actions import update_agreements
from circles.models import Circle, Membership
from tests.circles.conftest import bulk_users
from tests.factories import CircleFactory, MembershipFactory

pytestmark = pytest.mark.django_db
URL = reverse("circles:mine")


def test_it_lists_my_circles_and_my_requests(client_for, circle, member, circle_factory):
    waiting = circle_factory(name="Waiting room", join_policy="request")
    MembershipFactory(circle=waiting, user=member, state=Membership.State.PENDING)
    left = circle_factory(name="Left behind")
    MembershipFactory(circle=left, user=member, state=Membership.State.LEFT)
    response = client_for(member).get(URL)
    assert [m.circle.name for m in response.context["active"]] == ["Evening grief circle"]
    assert [m.circle.name for m in response.context["waiting"]] == ["Waiting room"]
    assert "Left behind" not in response.content.decode()


def test_it_flags_updated_agreements(client_for, circle, host, member):
    update_agreements(circle, host, "- New.")
    body = client_for(member).get(URL).content.decode()
    assert "The group agreements were updated" in body


def test_it_is_for_members_only(client, db):
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_it_refuses_post(client_for, member):
    assert client_for(member).post(URL).status_code == 405


def test_it_runs_a_fixed_number_of_queries(client_for, outsider, django_assert_max_num_queries):
    circles = Circle.objects.bulk_create(
        Circle(name=f"Mine {n}", slug=f"mine-{n}", description="x") for n in range(100)
    )
    Membership.objects.bulk_create(
        Membership(circle=c, user=outsider, state="active", accepted_version=0) for c in circles
    )
    users = bulk_users(20)
    Membership.objects.bulk_create(
        Membership(circle=c, user=u, state="active") for c in circles[:10] for u in users
    )
    client = client_for(outsider)
    client.get(URL)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert len(response.context["active"]) == 100


def test_the_home_page_shows_a_my_circles_panel(client_for, circle, member):
    body = client_for(member).get(reverse("members:home")).content.decode()
    assert "My circles" in body
    assert "Evening grief circle" in body


def test_the_home_panel_invites_newcomers_to_find_a_circle(client_for, outsider):
    body = client_for(outsider).get(reverse("members:home")).content.decode()
    assert "You are not in a circle yet" in body


def test_download_my_data_includes_my_circles_but_not_ban_reasons(client_for, circle, host, banned):
    CircleFactory(name="Unrelated")
    data = client_for(banned).get(reverse("members:export")).json()
    assert data["circles"] == [
        {
            "circle": "Evening grief circle",
            "role": "member",
            "state": "banned",
            "accepted_agreements_version": 1,
            "muted_until": None,
            "joined_at": data["circles"][0]["joined_at"],
        }
    ]
    assert "Was unkind" not in str(data)
