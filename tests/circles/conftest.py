"""Builders for circle tests, on top of the shared personas in tests/conftest.py.

``circle`` (open, listed, agreements v1) has ``host``, ``facilitator``, ``member`` and
``other_member`` active; the fixtures below add someone pending and someone banned.
"""

import pytest
from django.test import Client

from circles.models import Membership
from tests.factories import CircleFactory, MembershipFactory, UserFactory


@pytest.fixture
def pending(circle):
    user = UserFactory(display_name="Pia Pending")
    MembershipFactory(circle=circle, user=user, state=Membership.State.PENDING)
    return user


@pytest.fixture
def banned(circle):
    user = UserFactory(display_name="Bo Banned")
    MembershipFactory(circle=circle, user=user, state=Membership.State.BANNED, reason="Was unkind")
    return user


@pytest.fixture
def circle_factory(db):
    """``circle_factory(join_policy="request", member_limit=3, host=user)``."""

    def build(host=None, **fields):
        built = CircleFactory(**fields)
        if host is not None:
            MembershipFactory(circle=built, user=host, role=Membership.Role.HOST)
        return built

    return build


@pytest.fixture
def client_for():
    """A test client logged in as ``user`` (anonymous for None)."""

    def build(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return build


def membership(circle, user) -> Membership:
    return Membership.objects.get(circle=circle, user=user)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def bulk_users(count: int, prefix: str = "bulk") -> list:
    """``count`` members created in one query (no passwords, no email records)."""
    from members.models import User

    return User.objects.bulk_create(
        User(email=f"{prefix}{n}@example.org", display_name=f"{prefix.title()} {n}", password="!")
        for n in range(count)
    )
