"""Personas and builders shared by the whole suite.

The personas live in one circle: ``host``, ``facilitator``, ``member`` and
``other_member`` are active in ``circle``; ``outsider`` is in no circle; ``staff`` is
site staff.
"""

import pytest

from circles.models import Membership
from tests.factories import CircleFactory, MembershipFactory, UserFactory


def pytest_collection_modifyitems(items):
    """Browser journeys run last, after every test that runs its own event loop."""
    journeys = [item for item in items if "/tests/e2e/" in str(item.path)]
    for item in journeys:
        item.add_marker(pytest.mark.e2e)
    items[:] = [item for item in items if item not in journeys] + journeys


@pytest.fixture
def circle(db):
    return CircleFactory(name="Evening grief circle", slug="evening-grief")


def _member_of(circle, role, display_name):
    user = UserFactory(display_name=display_name)
    MembershipFactory(circle=circle, user=user, role=role)
    return user


@pytest.fixture
def host(circle):
    return _member_of(circle, Membership.Role.HOST, "Hanna Host")


@pytest.fixture
def facilitator(circle):
    return _member_of(circle, Membership.Role.FACILITATOR, "Fern Facilitator")


@pytest.fixture
def member(circle):
    return _member_of(circle, Membership.Role.MEMBER, "Milo Member")


@pytest.fixture
def other_member(circle):
    return _member_of(circle, Membership.Role.MEMBER, "Olive Other")


@pytest.fixture
def outsider(db):
    return UserFactory(display_name="Otto Outsider")


@pytest.fixture
def staff(db):
    return UserFactory(display_name="Stella Staff", is_staff=True)


@pytest.fixture
def user_factory(db):
    return UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and other cached state never leak from one test into the next."""
    from django.core.cache import cache

    from moderation import safety

    cache.clear()
    safety.clear_cache()
    yield
