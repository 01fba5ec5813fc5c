"""Every moderation action over HTTP, as every role: exactly the allowed ones succeed, and
every refusal changes nothing and says why (or asks a visitor to log in).

The room's socket commands are covered by the room's own matrix (tests/meetings/room)."""

import pytest
from django.urls import reverse

from circles.models import Membership
from moderation.actions import record_safety_event
from moderation.models import ModerationAction, Notice, Report, SafetyEvent, Suspension
from moderation.permissions import ACTIONS
from tests.factories import MembershipFactory, UserFactory

ROLES = ["visitor", "member", "reported member", "facilitator", "other host", "host", "staff"]
ALLOWED = {
    "visitor": set(),
    "member": set(),
    "reported member": set(),
    "facilitator": set(),
    "other host": set(),
    "host": set(ACTIONS) - {"suspend"},
    "staff": set(ACTIONS),
}
DATA = {
    "dismiss": {},
    "hide": {},
    "warn": {"message": "Please be gentle."},
    "mute": {"hours": "12", "message": "A pause"},
    "remove": {"message": "Repeated harm"},
    "ban": {"message": "Hate"},
    "suspend": {"hours": "24", "message": "Abuse"},
}


@pytest.fixture
def people(member, facilitator, host, other_host, staff, circle):
    bystander = UserFactory(display_name="Bea Bystander")
    MembershipFactory(circle=circle, user=bystander)
    return {
        "visitor": None,
        "member": bystander,
        "reported member": member,
        "facilitator": facilitator,
        "other host": other_host,
        "host": host,
        "staff": staff,
    }


def _state(report, member, circle, hidden):
    membership = Membership.objects.get(circle=circle, user=member)
    member.refresh_from_db()
    return (
        list(Report.objects.order_by("pk").values_list("state", "handled_by_id")),
        ModerationAction.objects.count(),
        Notice.objects.count(),
        (membership.state, membership.muted_until),
        member.is_active,
        Suspension.objects.count(),
        len(hidden),
    )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_queue_actions(client, people, role, action, content_report, member, circle, hidden):
    user = people[role]
    if user is not None:
        client.force_login(user)
    before = _state(content_report, member, circle, hidden)
    response = client.post(
        reverse("moderation:act", args=[content_report.pk]), {"action": action, **DATA[action]}
    )
    after = _state(content_report, member, circle, hidden)
    if action in ALLOWED[role]:
        assert response.status_code == 302
        assert response.url == reverse("moderation:queue")
        assert after != before
        content_report.refresh_from_db()
        assert not content_report.is_open
        assert ModerationAction.objects.get().actor == user
    else:
        assert after == before
        if role == "visitor":
            assert response.status_code == 302 and "/accounts/login/" in response.url
        elif role in ("host", "staff"):
            assert response.status_code == 403
            assert "Only site staff" in response.content.decode()
        else:
            assert response.status_code == 404


PAGE_ALLOWED = {
    "queue": {"other host", "host", "staff"},
    "report": {"host", "staff"},
    "log": {"staff"},
    "suspensions": {"staff"},
}
# What a signed-in person who may not see a page gets: a report's page does not say that
# the report exists; the others say they are for moderators.
PAGE_REFUSED = {"queue": 403, "report": 404, "log": 403, "suspensions": 403}


@pytest.mark.parametrize("page", PAGE_ALLOWED)
@pytest.mark.parametrize("role", ROLES)
def test_pages(client, people, role, page, content_report):
    user = people[role]
    if user is not None:
        client.force_login(user)
    url = {
        "queue": reverse("moderation:queue"),
        "report": reverse("moderation:report_detail", args=[content_report.pk]),
        "log": reverse("moderation:log"),
        "suspensions": reverse("moderation:suspensions"),
    }[page]
    response = client.get(url)
    if role in PAGE_ALLOWED[page]:
        assert response.status_code == 200
    elif role == "visitor":
        assert response.status_code == 302 and "/accounts/login/" in response.url
    else:
        assert response.status_code == PAGE_REFUSED[page]


@pytest.mark.parametrize("role", ROLES)
def test_safety_follow_up(client, people, role, member, circle):
    event = record_safety_event(kind="need_support", user=member, circle=circle)
    user = people[role]
    if user is not None:
        client.force_login(user)
    response = client.post(
        reverse("moderation:follow_up", args=[event.pk]), {"state": "reached_out"}
    )
    event.refresh_from_db()
    if role in ("host", "staff"):
        assert response.status_code == 302
        assert event.follow_up == SafetyEvent.FollowUp.REACHED_OUT
    else:
        if role == "visitor":
            assert response.status_code == 302 and "/accounts/login/" in response.url
        else:
            assert response.status_code == 404
        assert event.follow_up == SafetyEvent.FollowUp.OPEN
        assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_ending_a_suspension(client, people, role, member, staff):
    from moderation.actions import suspend_account

    suspension = suspend_account(member, staff, reason="Abuse", hours=5)
    user = people[role]
    if role == "reported member":
        user = None  # a suspended member can't log in at all
    if user is not None:
        client.force_login(user)
    response = client.post(reverse("moderation:end_suspension", args=[suspension.pk]))
    suspension.refresh_from_db()
    member.refresh_from_db()
    if role == "staff":
        assert suspension.ended_at is not None and member.is_active
    else:
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response.url
        else:
            assert response.status_code == 403
        assert suspension.ended_at is None and not member.is_active


def test_a_refused_role_is_told_about_the_role_before_any_bad_input(client, host, content_report):
    client.force_login(host)
    response = client.post(
        reverse("moderation:act", args=[content_report.pk]), {"action": "suspend", "hours": "-1"}
    )
    assert response.status_code == 403
    assert "Only site staff" in response.content.decode()
