"""Moderation's builders: a second circle with its own host, reports about a member or a
piece of content, and a stand-in content handler (moderation never imports meetings, so
tests use an agreement version as "content" and register a handler for it)."""

import pytest

from circles.models import AgreementVersion, Membership
from moderation import registry
from moderation.actions import file_report
from tests.factories import CircleFactory, MembershipFactory, UserFactory

CONTENT_LABEL = "circles.agreementversion"


@pytest.fixture
def other_circle(db):
    return CircleFactory(name="Morning circle", slug="morning")


@pytest.fixture
def other_host(other_circle):
    user = UserFactory(display_name="Hugo Other Host")
    MembershipFactory(circle=other_circle, user=user, role=Membership.Role.HOST)
    return user


@pytest.fixture
def content(circle):
    """Something a member said, as far as moderation knows: any saved model instance."""
    return AgreementVersion.objects.get(circle=circle)


@pytest.fixture
def hidden():
    """Registers a content handler that records what it hid."""
    calls = []

    def hide(object_id, actor):
        calls.append((object_id, actor.pk if actor else None))

    registry.register_content_handler(
        CONTENT_LABEL,
        hide=hide,
        describe=lambda object_id: {"hidden": any(c[0] == object_id for c in calls)},
    )
    yield calls
    registry.unregister_content_handler(CONTENT_LABEL)


@pytest.fixture
def snapshot_of(circle):
    def build(author, text="Something that was said", meeting_id=7):
        return {
            "text": text,
            "author_display_name": author.display_name,
            "author_user_id": author.pk,
            "meeting_id": meeting_id,
            "meeting_title": "Tuesday evening",
            "created_at": "2026-11-24T01:00:00+00:00",
        }

    return build


@pytest.fixture
def member_report(circle, member, other_member):
    """``other_member`` reported ``member`` in ``circle``."""
    return file_report(
        other_member, target=member, reason="harassment", note="Kept at it", circle=circle
    )


@pytest.fixture
def content_report(circle, member, other_member, content, snapshot_of, hidden):
    """``other_member`` reported something ``member`` said in ``circle``."""
    return file_report(
        other_member,
        target=content,
        reason="hate",
        snapshot=snapshot_of(member),
        circle=circle,
    )
