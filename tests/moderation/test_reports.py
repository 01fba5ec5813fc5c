"""Filing reports: the service the room calls, and reporting a member or circle over HTTP."""

import pytest
from django.urls import reverse

from hearth.refusal import Refused
from members.actions import delete_account
from moderation.actions import file_report
from moderation.models import Report, SafetyEvent
from tests.factories import CircleFactory, MembershipFactory, UserFactory
from tests.refusals import refused

URL = reverse("moderation:report")


# --- file_report ---------------------------------------------------------------------------


def test_it_files_a_report_with_its_snapshot(circle, member, other_member, content, snapshot_of):
    report = file_report(
        other_member,
        target=content,
        reason="harassment",
        note="  Said it twice  ",
        snapshot=snapshot_of(member, text="the words"),
        circle=circle,
    )
    assert report.state == Report.State.OPEN
    assert report.reporter == other_member
    assert report.reported_user == member
    assert report.circle == circle
    assert report.meeting_id == 7
    assert report.note == "Said it twice"
    assert report.snapshot["text"] == "the words"
    assert report.snapshot["author_display_name"] == member.display_name
    assert report.snapshot["meeting_title"] == "Tuesday evening"
    assert report.group_key == f"circles.agreementversion:{content.pk}"


def test_it_is_idempotent_for_the_same_reporter_and_target(
    member_report, circle, member, other_member
):
    again = file_report(other_member, target=member, reason="spam", circle=circle)
    assert again.pk == member_report.pk
    assert again.reason == "harassment"
    assert Report.objects.count() == 1


def test_it_groups_reports_of_the_same_thing(content_report, circle, member, content, snapshot_of):
    third = UserFactory()
    MembershipFactory(circle=circle, user=third)
    second = file_report(
        third, target=content, reason="harassment", snapshot=snapshot_of(member), circle=circle
    )
    assert second.pk != content_report.pk
    assert second.group_key == content_report.group_key


def test_it_files_a_new_report_once_the_earlier_one_is_closed(
    member_report, circle, member, other_member
):
    Report.objects.filter(pk=member_report.pk).update(state=Report.State.DISMISSED)
    again = file_report(other_member, target=member, reason="spam", circle=circle)
    assert again.pk != member_report.pk


def test_it_keeps_the_snapshot_after_the_author_deletes_their_account(content_report, member):
    delete_account(member)
    content_report.refresh_from_db()
    assert content_report.reported_user is None
    assert content_report.snapshot["author_display_name"] == "Milo Member"
    assert content_report.snapshot["text"] == "Something that was said"


def test_it_drops_unknown_snapshot_keys(circle, member, other_member, content):
    report = file_report(
        other_member,
        target=content,
        reason="spam",
        snapshot={"text": "x", "author_user_id": member.pk, "email": "leak@example.org"},
        circle=circle,
    )
    assert "email" not in report.snapshot


def test_a_report_that_someone_may_be_at_risk_is_a_safety_event(circle, member, other_member):
    report = file_report(
        other_member, target=member, reason="at_risk", note="They sounded low", circle=circle
    )
    event = SafetyEvent.objects.get()
    assert event.kind == SafetyEvent.Kind.AT_RISK_REPORT
    assert event.user == member
    assert event.circle == circle
    assert event.report == report
    assert event.note == "They sounded low"


@pytest.mark.parametrize(("reason", "note"), [("rude", ""), ("", ""), ("spam", "x" * 1001)])
def test_it_refuses_bad_input_and_changes_nothing(circle, member, other_member, reason, note):
    with pytest.raises(Refused):
        file_report(other_member, target=member, reason=reason, note=note, circle=circle)
    assert not Report.objects.exists()


def test_it_refuses_reporting_yourself(circle, member, content, snapshot_of):
    with pytest.raises(Refused, match="yourself"):
        file_report(member, target=content, reason="spam", snapshot=snapshot_of(member))
    assert not Report.objects.exists()


def test_it_refuses_an_anonymous_reporter(circle, member):
    from django.contrib.auth.models import AnonymousUser

    with refused("forbidden"):
        file_report(AnonymousUser(), target=member, reason="spam", circle=circle)


# --- Over HTTP -----------------------------------------------------------------------------


def _post(client, user, **data):
    client.force_login(user)
    return client.post(URL, {"reason": "harassment", "note": "", **data})


def test_a_member_reports_another_member_of_their_circle(client, circle, member, other_member):
    response = _post(
        client, other_member, kind="member", target=member.pk, circle=circle.pk, next="/circles/"
    )
    assert response.status_code == 302
    assert response.url == "/circles/"
    report = Report.objects.get()
    assert (report.reporter, report.reported_user, report.circle) == (other_member, member, circle)


def test_the_circle_is_found_when_the_form_does_not_name_one(client, circle, member, other_member):
    _post(client, other_member, kind="member", target=member.pk)
    assert Report.objects.get().circle == circle


def test_a_member_reports_a_circle(client, circle, outsider):
    response = _post(client, outsider, kind="circle", target=circle.pk, reason="spam")
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.target == circle
    assert report.circle == circle
    assert report.snapshot["circle_name"] == circle.name


def test_the_report_form_shows_who_is_reported(client, circle, member, other_member):
    client.force_login(other_member)
    response = client.get(URL, {"kind": "member", "target": member.pk, "circle": circle.pk})
    assert response.status_code == 200
    assert member.display_name in response.content.decode()


@pytest.mark.parametrize(
    "who",
    ["missing member", "missing circle", "stranger", "member elsewhere", "self", "banned circle"],
)
def test_reporting_what_does_not_exist_or_cannot_be_seen_changes_nothing(
    client, circle, member, other_member, outsider, who
):
    elsewhere = CircleFactory()
    stranger_circle_member = UserFactory()
    MembershipFactory(circle=elsewhere, user=stranger_circle_member)
    banned = CircleFactory()
    MembershipFactory(circle=banned, user=other_member, state="banned")
    data = {
        "missing member": {"kind": "member", "target": 999999},
        "missing circle": {"kind": "circle", "target": 999999},
        "stranger": {"kind": "member", "target": member.pk, "as": outsider},
        "member elsewhere": {"kind": "member", "target": stranger_circle_member.pk},
        "self": {"kind": "member", "target": other_member.pk, "circle": circle.pk},
        "banned circle": {"kind": "circle", "target": banned.pk},
    }[who]
    reporter = data.pop("as", other_member)
    response = _post(client, reporter, **data)
    assert response.status_code == 404
    assert "couldn" in response.content.decode() or "yourself" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "member", "target": "abc"},
        {"kind": "message", "target": 1},
        {"kind": "member", "reason": "rude"},
        {"kind": "member", "note": "x" * 1001},
    ],
)
def test_a_malformed_report_is_refused_and_changes_nothing(client, member, other_member, data):
    data = {"target": member.pk, **data}
    response = _post(client, other_member, **data)
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_visitor_is_sent_to_log_in(client, member):
    response = client.post(URL, {"kind": "member", "target": member.pk, "reason": "spam"})
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
    assert not Report.objects.exists()


def test_it_refuses_the_wrong_method(client, other_member):
    client.force_login(other_member)
    assert client.put(URL).status_code == 405


def test_it_ignores_an_unsafe_next(client, circle, member, other_member):
    response = _post(
        client, other_member, kind="member", target=member.pk, next="https://evil.example/"
    )
    assert response.url == reverse("members:home")
