"""Every role against every verb (open, read, reply, close, report) and every reason,
including a reason from another meeting and from another circle."""

import pytest

from meetings.followups import actions, permissions

ROLES = [
    "member",
    "other_member",
    "facilitator",
    "meeting_facilitator",
    "host",
    "staff",
    "outsider",
    "other_host",
]

# Who may open a thread from each kind of reason about ``member``.
OPEN = {
    "support_event": {"facilitator", "meeting_facilitator", "host", "staff"},
    "asked_reason": {"facilitator", "meeting_facilitator", "host"},
    "lower_reason": {"facilitator", "meeting_facilitator", "host"},
    # meeting_facilitator did not lead the other meeting; the circle's people did.
    "other_meeting_reason": {"facilitator", "host", "staff"},
    # Only the other circle's host: nobody of this circle.
    "other_circle_reason": {"other_host"},
}
READ = {"member", "facilitator", "meeting_facilitator", "host"}
# The thread is opened by ``facilitator``; its first message is theirs.
REPORT_FACILITATORS_MESSAGE = {"member", "meeting_facilitator", "host"}


@pytest.mark.parametrize("reason_name", sorted(OPEN))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_a_follow_up_from_each_reason(request, people, role, reason_name):
    reason = request.getfixturevalue(reason_name)
    assert permissions.can_open(people[role], reason) is (role in OPEN[reason_name])


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_a_thread(people, thread, role):
    assert permissions.can_read(people[role], thread) is (role in READ)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_reply_to_an_open_thread(people, thread, role):
    assert permissions.can_reply(people[role], thread) is (role in READ)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_close_an_open_thread(people, thread, role):
    assert permissions.can_close(people[role], thread) is (role in READ)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_report_the_facilitators_message(people, thread, role):
    message = thread.messages.get()
    assert permissions.can_report(people[role], message) is (role in REPORT_FACILITATORS_MESSAGE)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_may_reply_to_or_close_a_closed_thread(people, thread, member, role):
    actions.close_follow_up(member, thread.pk)
    thread.refresh_from_db()
    assert not permissions.can_reply(people[role], thread)
    assert not permissions.can_close(people[role], thread)
    assert permissions.can_read(people[role], thread) is (role in READ)


def test_staff_read_a_thread_only_once_a_message_in_it_was_reported(thread, member, staff):
    assert not permissions.can_read(staff, thread)
    actions.report_message(member, thread.messages.get().pk, "harassment")
    assert permissions.can_read(staff, thread)
    assert not permissions.can_reply(staff, thread)
    assert not permissions.can_close(staff, thread)


def test_staff_who_opened_a_thread_from_the_queue_take_part_in_it(staff, support_event):
    thread = actions.open_follow_up(staff, support_event, "Hello from Hearth's staff.")
    assert permissions.thread_role(staff, thread) == "staff"
    assert permissions.can_reply(staff, thread)


def test_a_member_who_turned_follow_ups_off_cannot_be_written_to(
    facilitator, member, support_event
):
    member.no_follow_ups = True
    member.save()
    support_event.member.refresh_from_db()
    assert "asked not to be contacted" in permissions.why_not_open(facilitator, support_event)


def test_a_reason_opens_one_thread_and_a_member_has_one_open_thread_per_circle(
    host, thread, support_event, asked_reason
):
    assert "already followed this up" in permissions.why_not_open(host, support_event)
    assert "already has an open follow-up" in permissions.why_not_open(host, asked_reason)


def test_a_member_who_left_the_circle_cannot_be_written_to(facilitator, member, support_event):
    member.memberships.update(state="left")
    assert "no longer in this circle" in permissions.why_not_open(facilitator, support_event)


def test_nobody_opens_a_follow_up_with_themselves(facilitator, meeting):
    from meetings.followups.reasons import find_reason
    from moderation.actions import record_safety_event

    event = record_safety_event(
        kind="need_support", user=facilitator, circle=meeting.circle, meeting_id=meeting.pk
    )
    assert permissions.why_not_open(facilitator, find_reason("event", event.pk)) == (
        "You can't open a follow-up with yourself."
    )


def test_a_suspended_member_cannot_be_written_to(facilitator, member, support_event):
    member.is_active = False
    member.save()
    support_event.member.refresh_from_db()
    assert "account is not active" in permissions.why_not_open(facilitator, support_event)
