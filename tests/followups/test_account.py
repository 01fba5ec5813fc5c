"""The member's side: the "Don't contact me after meetings" switch (and what the room's
support dialog promises then), "download my data" and account deletion."""

import json
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from meetings.followups import actions
from meetings.followups.hooks import support_promise
from meetings.followups.models import FollowUp, FollowUpMessage
from meetings.room.tasks import purge_expired_shares
from members.actions import delete_account
from moderation.models import ModerationAction
from tests.followups.conftest import OPENING


def test_the_settings_page_turns_follow_ups_off(client_for, member):
    client = client_for(member)
    page = client.get(reverse("members:settings")).content.decode()
    assert "Don&#x27;t contact me after meetings" in page
    response = client.post(
        reverse("members:settings"),
        {
            "display_name": member.display_name,
            "time_zone": "UTC",
            "email_reminders": "on",
            "no_follow_ups": "on",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.no_follow_ups


def test_with_follow_ups_off_the_reasons_still_reach_the_insights_page_but_nobody_can_write(
    client_for, facilitator, member, support_event, asked_reason
):
    member.no_follow_ups = True
    member.save()
    page = client_for(facilitator).get(f"/meetings/{support_event.meeting.pk}/insights/")
    text = page.content.decode()
    assert "Milo Member" in text and "asked not to be contacted" in text
    assert "Send a follow-up" not in text
    url = reverse("followups:open", args=["event", support_event.source_id])
    response = client_for(facilitator).post(url, {"text": OPENING})
    assert response.status_code == 403
    assert not FollowUp.objects.exists()


def test_the_support_dialog_promises_a_follow_up_only_when_the_member_allows_it(member):
    assert "may send you a private follow-up" in support_promise(member)
    member.no_follow_ups = True
    assert "nobody will message you" in support_promise(member)
    assert "follow-up" not in support_promise(member)


def test_the_room_page_carries_the_promise(client_for, member, meeting):
    from meetings.models import Meeting

    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.SCHEDULED)
    member.no_follow_ups = True
    member.save()
    page = client_for(member).get(f"/meetings/{meeting.pk}/room/").content.decode()
    assert "nobody will message you" in page
    assert "will reach out privately" not in page


def test_download_my_data_includes_the_members_threads(client_for, member, thread, facilitator):
    actions.post_message(member, thread.pk, "My own answer.")
    data = json.loads(client_for(member).get(reverse("members:export")).content)
    [exported] = data["follow_ups"]["threads"]
    assert exported["about_me"] and exported["reason"] == "need_support"
    assert [m["text"] for m in exported["messages"]] == [OPENING, "My own answer."]
    assert data["profile"]["no_follow_ups"] is False
    theirs = json.loads(client_for(facilitator).get(reverse("members:export")).content)
    [written] = theirs["follow_ups"]["threads"]
    assert not written["about_me"] and [m["text"] for m in written["messages"]] == [OPENING]


def test_deleting_the_account_removes_the_members_messages_and_keeps_the_others(
    client_for, member, facilitator, thread
):
    actions.post_message(member, thread.pk, "Something only I wrote.")
    delete_account(member)
    thread.refresh_from_db()
    assert thread.member is None
    assert list(FollowUpMessage.objects.values_list("text", flat=True)) == [OPENING]
    page = client_for(facilitator).get(thread.get_absolute_url()).content.decode()
    assert "a former member" in page and OPENING in page
    assert "Something only I wrote." not in page


def test_deleting_a_facilitators_account_keeps_no_copy_of_their_name(
    client_for, member, facilitator, thread
):
    actions.close_follow_up(facilitator, thread.pk)
    delete_account(facilitator)
    thread.refresh_from_db()
    assert thread.opened_by_name == "a former member"
    assert thread.closed_by_name == "a former member"
    assert not FollowUpMessage.objects.exists()
    page = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert "Fern" not in page and "Closed by a former member" in page


def test_deleting_the_account_closes_the_members_open_thread_so_the_purge_removes_it(
    settings, member, facilitator, thread
):
    settings.HEARTH_FOLLOW_UP_RETENTION_DAYS = 30
    delete_account(member)
    thread.refresh_from_db()
    assert thread.member is None and not thread.is_open and thread.closed_by is None
    [entry] = ModerationAction.objects.filter(action="meetings.follow_up.closed")
    assert entry.actor is None and entry.target_user is None
    assert entry.extra == {
        "follow_up_id": thread.pk,
        "reason": "need_support",
        "why": "account_deleted",
    }
    assert OPENING not in str(entry.extra) + entry.reason
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1), tick=False):
        purge_expired_shares()
    assert not FollowUp.objects.filter(pk=thread.pk).exists()
    assert not FollowUpMessage.objects.exists()
