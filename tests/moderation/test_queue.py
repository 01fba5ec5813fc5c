"""The queue: who sees which reports, filters, order, grouping, history, privacy."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from moderation.actions import file_report, handle_report, record_action, record_safety_event
from moderation.models import Report
from tests.factories import MembershipFactory, UserFactory

QUEUE = reverse("moderation:queue")


def _queue(client, user, **query):
    client.force_login(user)
    response = client.get(QUEUE, query)
    assert response.status_code == 200
    return response.content.decode()


def _report_in(circle, reporter_name, target_name, reason="spam"):
    reporter, target = (
        UserFactory(display_name=reporter_name),
        UserFactory(display_name=target_name),
    )
    MembershipFactory(circle=circle, user=reporter)
    MembershipFactory(circle=circle, user=target)
    return file_report(reporter, target=target, reason=reason, circle=circle)


def test_a_host_sees_their_circles_open_reports_only(client, host, circle, other_circle):
    _report_in(circle, "Rita Reporter", "Tom Target")
    _report_in(other_circle, "Rosa Reporter", "Tina Elsewhere")
    body = _queue(client, host)
    assert "Tom Target" in body
    assert "Tina Elsewhere" not in body


def test_staff_see_every_circles_reports(client, staff, circle, other_circle):
    _report_in(circle, "Rita Reporter", "Tom Target")
    _report_in(other_circle, "Rosa Reporter", "Tina Elsewhere")
    body = _queue(client, staff)
    assert "Tom Target" in body and "Tina Elsewhere" in body


def test_reports_about_a_circle_go_to_staff_only(client, host, staff, circle, outsider):
    file_report(outsider, target=circle, reason="hate", note="The circle itself is hateful")
    assert "The circle itself is hateful" not in _queue(client, host)
    assert "The circle itself is hateful" in _queue(client, staff)


def test_a_host_never_sees_reports_about_themselves(client, host, circle, member):
    file_report(member, target=host, reason="harassment", note="About the host", circle=circle)
    assert "About the host" not in _queue(client, host)


@pytest.mark.parametrize("who", ["member", "facilitator", "outsider"])
def test_others_may_not_see_the_queue(client, request, who, member_report):
    client.force_login(request.getfixturevalue(who))
    assert client.get(QUEUE).status_code == 403


def test_a_visitor_is_sent_to_log_in(client):
    assert client.get(QUEUE).status_code == 302


def test_the_queue_refuses_post(client, host):
    client.force_login(host)
    assert client.post(QUEUE).status_code == 405


def test_oldest_first_with_safety_first(client, host, circle):
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        _report_in(circle, "R1", "Oldest Spammer")
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        _report_in(circle, "R2", "Newer Spammer")
    _report_in(circle, "R3", "Person At Risk", reason="at_risk")
    body = _queue(client, host)
    reports = body[body.index('id="reports-heading"') :]
    positions = [
        reports.index(name) for name in ("Person At Risk", "Oldest Spammer", "Newer Spammer")
    ]
    assert positions == sorted(positions)


def test_reports_of_the_same_thing_are_one_card_with_a_count(
    client, host, circle, member, content_report, content, snapshot_of
):
    for name in ("Second Reporter", "Third Reporter"):
        reporter = UserFactory(display_name=name)
        MembershipFactory(circle=circle, user=reporter)
        file_report(
            reporter, target=content, reason="hate", snapshot=snapshot_of(member), circle=circle
        )
    body = _queue(client, host)
    assert "reported 3 times" in body
    assert body.count('class="card moderation-card') == 1


def test_each_card_shows_the_snapshot_and_the_members_history(
    client, host, circle, member, other_member, content_report
):
    earlier = file_report(other_member, target=member, reason="spam", circle=circle)
    handle_report(earlier, host, "warn", message="First warning")
    body = _queue(client, host, state="open")
    assert "Something that was said" in body
    assert "Tuesday evening" in body
    assert "First warning" in body
    assert "1 other reports" in body


def test_hosts_never_see_who_reported_staff_do(client, host, staff, member_report, other_member):
    assert other_member.display_name not in _queue(client, host)
    assert other_member.display_name in _queue(client, staff)


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"reason": "hate"}, "Hate Target", "Spam Target"),
        ({"state": "closed"}, "Closed Target", "Spam Target"),
        ({"state": "all"}, "Closed Target", None),
        ({"age": "older"}, "Old Target", "Spam Target"),
        ({"age": "day"}, "Spam Target", "Old Target"),
        ({"age": "week"}, "Spam Target", "Old Target"),
    ],
)
def test_filters(client, staff, circle, query, shown, hidden):
    _report_in(circle, "A", "Spam Target", "spam")
    _report_in(circle, "B", "Hate Target", "hate")
    handle_report(_report_in(circle, "C", "Closed Target", "spam"), staff, "dismiss")
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        _report_in(circle, "D", "Old Target", "spam")
    body = _queue(client, staff, **query)
    assert shown in body
    if hidden:
        assert hidden not in body


def test_the_circle_filter_offers_only_the_hosts_circles(client, host, circle, other_circle):
    _report_in(circle, "A", "Tom Target")
    client.force_login(host)
    assert client.get(QUEUE, {"circle": other_circle.pk}).status_code == 200
    body = _queue(client, host, circle=circle.pk)
    assert "Tom Target" in body
    assert other_circle.name not in body


def test_a_bad_filter_shows_the_open_reports(client, host, circle):
    _report_in(circle, "A", "Tom Target")
    assert "Tom Target" in _queue(client, host, state="deleted", age="century")


def test_safety_events_come_first_with_their_follow_up(client, host, circle, member):
    record_safety_event(
        kind="need_support", user=member, circle=circle, meeting_id=4, note="rough day"
    )
    body = _queue(client, host)
    assert body.index("People who may need support") < body.index('id="reports-heading"')
    assert "rough day" in body
    assert "Asked for support" in body


def test_the_report_page_is_not_found_for_those_who_cannot_see_it(
    client, other_host, member_report
):
    client.force_login(other_host)
    url = reverse("moderation:report_detail", args=[member_report.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("moderation:report_detail", args=[999999])).status_code == 404


def test_a_closed_report_shows_who_handled_it_and_no_actions(client, host, member_report):
    handle_report(member_report, host, "dismiss")
    client.force_login(host)
    body = client.get(reverse("moderation:report_detail", args=[member_report.pk])).content.decode()
    assert "handled by Hanna Host" in body
    assert 'name="action"' not in body
    assert Report.objects.get().state == "dismissed"


def test_room_actions_show_in_the_history(client, host, circle, member, member_report):
    record_action(
        actor=host, action="room.participant.muted", target_user=member, circle=circle, meeting_id=5
    )
    assert "Muted in a meeting" in _queue(client, host)


def test_earlier_closed_reports_about_the_same_member_count_as_history(
    client, host, circle, member, other_member, member_report
):
    handle_report(member_report, host, "warn", message="First warning")
    file_report(other_member, target=member, reason="harassment", note="Again", circle=circle)
    body = _queue(client, host)
    assert "1 other reports" in body
    assert "Milo Member (a member)" in body


def test_the_card_says_when_the_content_is_gone_and_keeps_the_snapshot(
    client, host, content_report
):
    from moderation import registry

    registry.register_content_handler(
        "circles.agreementversion",
        hide=lambda object_id, actor: None,
        describe=lambda object_id: {"exists": False, "hidden": False},
    )
    body = _queue(client, host)
    assert "this snapshot remains" in body
    assert "Something that was said" in body
