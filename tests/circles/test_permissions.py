"""Every permission in circles/permissions.py against every persona (docs/circles.md)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from circles import permissions
from circles.models import Circle, Membership

pytestmark = pytest.mark.django_db

PERSONAS = ["visitor", "non_member", "pending", "member", "facilitator", "host", "banned", "staff"]

# One row per action; one column per persona, in the order above (Y = allowed).
MATRIX = {
    #                        vis non pen mem fac hst ban stf
    "can_view_circle":      "Y   Y   Y   Y   Y   Y   .   Y",
    "can_view_agreements":  "Y   Y   Y   Y   Y   Y   .   Y",
    "can_view_members":     ".   .   .   Y   Y   Y   .   Y",
    "can_join":             ".   Y   .   .   .   .   .   Y",
    "can_leave":            ".   .   Y   Y   Y   Y   .   .",
    "can_accept_agreements": ".  .   Y   Y   Y   Y   .   .",
    "can_facilitate":       ".   .   .   .   Y   Y   .   .",
    "can_manage":           ".   .   .   .   .   Y   .   Y",
    "can_moderate":         ".   .   .   .   .   Y   .   Y",
    "can_edit_circle":      ".   .   .   .   .   Y   .   Y",
    "can_manage_members":   ".   .   .   .   .   Y   .   Y",
    "can_create_invite":    ".   .   .   .   .   Y   .   Y",
    "is_active_member":     ".   .   .   Y   Y   Y   .   .",
    "is_banned":            ".   .   .   .   .   .   Y   .",
}  # fmt: skip

# In an invite-only circle nobody can join without an invitation; the rest is the same.
INVITE_ONLY_JOIN = ".   .   .   .   .   .   .   ."


def parse(row: str) -> list[bool]:
    return [cell == "Y" for cell in row.split()]


@pytest.fixture
def personas(circle, host, facilitator, member, outsider, pending, banned, staff):
    return {
        "visitor": AnonymousUser(),
        "non_member": outsider,
        "pending": pending,
        "member": member,
        "facilitator": facilitator,
        "host": host,
        "banned": banned,
        "staff": staff,
    }


def fresh(circle) -> Circle:
    """A new instance, so the per-request membership cache starts empty."""
    return Circle.objects.get(pk=circle.pk)


@pytest.mark.parametrize("action", MATRIX)
def test_the_permission_matrix(action, circle, personas):
    check = getattr(permissions, action)
    expected = dict(zip(PERSONAS, parse(MATRIX[action]), strict=True))
    actual = {name: check(user, fresh(circle)) for name, user in personas.items()}
    assert actual == expected


def test_nobody_joins_an_invite_only_circle_uninvited(circle, personas):
    Circle.objects.filter(pk=circle.pk).update(join_policy=Circle.JoinPolicy.INVITE)
    expected = dict(zip(PERSONAS, parse(INVITE_ONLY_JOIN), strict=True))
    assert {n: permissions.can_join(u, fresh(circle)) for n, u in personas.items()} == expected


def test_anyone_who_can_see_it_may_ask_to_join_a_circle_by_request(circle, personas):
    Circle.objects.filter(pk=circle.pk).update(join_policy=Circle.JoinPolicy.REQUEST)
    expected = dict(zip(PERSONAS, parse(MATRIX["can_join"]), strict=True))
    assert {n: permissions.can_join(u, fresh(circle)) for n, u in personas.items()} == expected


def test_only_signed_in_people_create_circles(personas):
    allowed = {name: permissions.can_create_circle(user) for name, user in personas.items()}
    assert allowed == {name: name != "visitor" for name in PERSONAS}


def test_needs_agreement_acceptance_asks_only_active_members_behind(circle, personas):
    Circle.objects.filter(pk=circle.pk).update(agreements_version=2)
    needing = {
        n for n, u in personas.items() if permissions.needs_agreement_acceptance(u, fresh(circle))
    }
    assert needing == {"member", "facilitator", "host"}
    assert not any(permissions.needs_agreement_acceptance(u, circle) for u in personas.values())


# --- The same matrix through the pages -------------------------------------------------

PAGES = {
    #                      vis  non  pen  mem  fac  hst  ban  stf
    "detail":             "200  200  200  200  200  200  403  200",
    "agreements":         "200  200  200  200  200  200  403  200",
    "manage":             "302  403  403  403  403  200  403  200",
}  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_follow_the_matrix(page, circle, personas, client_for):
    url = reverse(f"circles:{page}", args=[circle.slug])
    statuses = {}
    for name, user in personas.items():
        client = client_for(None if name == "visitor" else user)
        statuses[name] = client.get(url).status_code
    assert statuses == dict(zip(PERSONAS, map(int, PAGES[page].split()), strict=True))


def test_members_names_appear_only_for_those_who_may_see_them(circle, personas, client_for):
    url = reverse("circles:detail", args=[circle.slug])
    seen = {}
    for name, user in personas.items():
        if name == "banned":
            continue
        body = client_for(None if name == "visitor" else user).get(url).content.decode()
        seen[name] = "Milo Member" in body
    expected = dict(zip(PERSONAS, parse(MATRIX["can_view_members"]), strict=True))
    expected.pop("banned")
    assert seen == expected


def test_is_last_host_names_only_the_sole_active_host(circle, personas):
    lasts = {n for n, u in personas.items() if permissions.is_last_host(u, fresh(circle))}
    assert lasts == {"host"}
    Membership.objects.filter(circle=circle, user=personas["member"]).update(role="host")
    assert not permissions.is_last_host(personas["host"], fresh(circle))
