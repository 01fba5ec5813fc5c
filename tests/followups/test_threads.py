"""The pages: opening a follow-up from a reason, reading and answering it, closing it,
reporting a message; bad input keeps the text; a thread you may not read is 404."""

from html import unescape

import pytest
from django.urls import reverse

from meetings.followups import actions
from meetings.followups.models import FollowUp, FollowUpMessage
from meetings.followups.views import RATE_LIMITED
from moderation.models import BlockedWord, CrisisPhrase, ModerationAction, Report, SafetyEvent
from moderation.safety import clear_cache
from tests.followups.conftest import OPENING


def open_url(reason):
    return reverse("followups:open", args=[reason.source, reason.source_id])


def thread_url(thread):
    return reverse("followups:thread", args=[thread.pk])


def test_a_facilitator_opens_a_follow_up_from_a_support_request(
    client_for, facilitator, member, support_event
):
    client = client_for(facilitator)
    page = unescape(client.get(open_url(support_event)).content.decode())
    assert "Send a follow-up to Milo Member" in page
    assert "no private messages between members" in page
    response = client.post(open_url(support_event), {"text": OPENING})
    thread = FollowUp.objects.get()
    assert response.status_code == 302 and response["Location"] == thread_url(thread)
    assert thread.member == member and thread.reason == "need_support"
    assert thread.messages.get().text == OPENING
    assert thread.messages.get().author_role == "facilitator"


def test_opening_a_thread_from_a_safety_event_marks_the_event_reached_out(
    client_for, meeting_facilitator, member, support_event
):
    response = client_for(meeting_facilitator).post(open_url(support_event), {"text": OPENING})
    assert response.status_code == 302
    event = SafetyEvent.objects.get(pk=support_event.safety_event.pk)
    assert event.follow_up == SafetyEvent.FollowUp.REACHED_OUT
    assert event.follow_up_by == meeting_facilitator
    entry = ModerationAction.objects.get(action="moderation.safety.followed_up")
    assert entry.extra["from"] == "open" and entry.extra["to"] == "reached_out"
    assert OPENING not in entry.reason + str(entry.extra)


def test_the_member_reads_answers_and_closes_it(client_for, member, thread):
    client = client_for(member)
    page = unescape(client.get(thread_url(thread)).content.decode())
    assert OPENING in page and "Fern Facilitator" in page
    assert '<span class="tag">facilitator</span>' in page
    response = client.post(thread_url(thread), {"text": "Thank you, it helps to hear that."})
    assert response.status_code == 302
    assert thread.messages.filter(author=member, author_role="member").count() == 1
    response = client.post(reverse("followups:close", args=[thread.pk]))
    assert response.status_code == 302
    thread.refresh_from_db()
    assert not thread.is_open and thread.closed_by_name == "Milo Member"
    page = unescape(client.get(thread_url(thread)).content.decode())
    assert "Nobody can write in it any more" in page and 'name="text"' not in page


def test_a_closed_thread_takes_no_message(client_for, member, facilitator, thread):
    actions.close_follow_up(member, thread.pk)
    response = client_for(facilitator).post(thread_url(thread), {"text": "One more thing"})
    assert response.status_code == 403
    assert thread.messages.count() == 1


def test_a_closed_thread_is_not_reopened_but_a_new_reason_opens_a_new_one(
    client_for, member, host, thread, asked_reason
):
    actions.close_follow_up(member, thread.pk)
    assert client_for(host).post(reverse("followups:close", args=[thread.pk])).status_code == 302
    thread.refresh_from_db()
    assert thread.closed_by_name == "Milo Member"
    response = client_for(host).post(open_url(asked_reason), {"text": "Checking in, as asked."})
    assert response.status_code == 302
    assert FollowUp.objects.filter(closed_at__isnull=True).get().reason == "asked"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Write a message first."),
        ("   \n\t  ", "Write a message first."),
        ("a" * 4001, "Please keep it under 4,000 characters (this one has 4,001)."),
    ],
)
def test_bad_input_gets_an_inline_error_and_keeps_the_text(client_for, member, thread, text, error):
    response = client_for(member).post(thread_url(thread), {"text": text})
    page = unescape(response.content.decode())
    assert response.status_code == 400
    assert error in page
    assert f"{text}</textarea>" in page
    assert thread.messages.count() == 1


def test_an_opening_message_too_long_keeps_the_text(client_for, facilitator, support_event):
    text = "I wanted to say " + "x" * 4000
    response = client_for(facilitator).post(open_url(support_event), {"text": text})
    assert response.status_code == 400
    assert text in unescape(response.content.decode())
    assert not FollowUp.objects.exists()


def test_a_blocked_word_is_refused_as_in_the_room(client_for, member, thread):
    BlockedWord.objects.create(word="meanword")
    clear_cache()
    response = client_for(member).post(thread_url(thread), {"text": "you meanword"})
    assert response.status_code == 400
    assert "isn't allowed on Hearth" in unescape(response.content.decode())
    assert "you meanword" in unescape(response.content.decode())
    assert thread.messages.count() == 1


def test_a_crisis_phrase_in_the_members_reply_shows_resources_and_tells_the_hosts(
    client_for, member, thread
):
    CrisisPhrase.objects.create(phrase="want to disappear", language="")
    clear_cache()
    before = SafetyEvent.objects.filter(kind="crisis_match").count()
    response = client_for(member).post(thread_url(thread), {"text": "I want to disappear"})
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "You're not alone" in page and thread.circle.crisis_resources_text.split()[0] in page
    assert thread.messages.filter(author=member).exists()
    event = SafetyEvent.objects.filter(kind="crisis_match").latest("pk")
    assert SafetyEvent.objects.filter(kind="crisis_match").count() == before + 1
    assert event.user == member and event.circle == thread.circle and event.note == ""


def test_the_crisis_resources_after_a_members_reply_are_links(client_for, member, thread):
    thread.circle.crisis_resources = "Samaritans: 116 123\nfindahelpline.com"
    thread.circle.save()
    CrisisPhrase.objects.create(phrase="want to disappear", language="")
    clear_cache()
    response = client_for(member).post(thread_url(thread), {"text": "I want to disappear"})
    section = response.content.decode().split('id="followup-crisis"', 1)[1].split("</section>")[0]
    assert '<ul class="crisis-resources">' in section
    assert 'href="tel:116123"' in section and 'href="https://findahelpline.com"' in section


def test_the_page_says_truly_who_can_read_the_thread(client_for, member, facilitator, thread):
    for user in (member, facilitator):
        page = unescape(client_for(user).get(thread_url(thread)).content.decode())
        readers = page.split('id="followup-readers">', 1)[1].split("</p>")[0]
        assert "the circle's hosts and facilitators and the meeting's facilitators" in readers
        assert "site staff only if they opened it or once a message in it is reported" in readers


def test_a_crisis_phrase_from_a_facilitator_raises_nothing(client_for, facilitator, thread):
    CrisisPhrase.objects.create(phrase="want to disappear", language="")
    clear_cache()
    response = client_for(facilitator).post(
        thread_url(thread), {"text": "If you ever feel you want to disappear, tell us."}
    )
    assert response.status_code == 302
    assert not SafetyEvent.objects.filter(kind="crisis_match").exists()


@pytest.mark.parametrize("who", ["other_member", "outsider", "staff", "other_host"])
def test_a_thread_you_may_not_read_is_404_to_read_write_close_and_report(
    client_for, people, thread, who
):
    client = client_for(people[who])
    message = thread.messages.get()
    assert client.get(thread_url(thread)).status_code == 404
    assert client.post(thread_url(thread), {"text": "hello"}).status_code == 404
    assert client.post(reverse("followups:close", args=[thread.pk])).status_code == 404
    assert client.get(reverse("followups:report", args=[message.pk])).status_code == 404
    assert thread.messages.count() == 1
    thread.refresh_from_db()
    assert thread.is_open


@pytest.mark.parametrize("path", ["/follow-ups/0/", "/follow-ups/99999999999999999999/"])
def test_an_unknown_thread_is_404(client_for, member, path):
    assert client_for(member).get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/follow-ups/new/event/0/",
        "/follow-ups/new/event/abc/",
        "/follow-ups/new/nonsense/1/",
        "/follow-ups/new/asked/99999/",
    ],
)
def test_a_made_up_reason_is_404(client_for, facilitator, path):
    assert client_for(facilitator).get(path).status_code == 404


def test_a_member_cannot_open_a_thread_with_another_member(client_for, other_member, support_event):
    response = client_for(other_member).post(open_url(support_event), {"text": "hey"})
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


def test_the_open_page_says_why_it_cannot_be_sent_and_keeps_the_text(
    client_for, facilitator, host, support_event
):
    actions.open_follow_up(host, support_event, "Hello from Hanna.")
    response = client_for(facilitator).post(open_url(support_event), {"text": "Hello from Fern."})
    page = unescape(response.content.decode())
    assert response.status_code == 403
    assert "Hanna Host already followed this up." in page
    assert FollowUp.objects.count() == 1


def test_pages_refuse_the_wrong_method(client_for, member, thread):
    client = client_for(member)
    assert client.get(reverse("followups:close", args=[thread.pk])).status_code == 405
    assert client.put(thread_url(thread)).status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(client, thread):
    response = client.get(thread_url(thread))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_posting_is_rate_limited_per_author_and_keeps_the_text(client_for, member, thread):
    client = client_for(member)
    for number in range(20):
        assert client.post(thread_url(thread), {"text": f"message {number}"}).status_code == 302
    response = client.post(thread_url(thread), {"text": "the twenty-first"})
    assert response.status_code == 429
    assert RATE_LIMITED in unescape(response.content.decode())
    assert "the twenty-first" in unescape(response.content.decode())
    assert thread.messages.count() == 21


def test_the_member_reports_a_message_with_a_snapshot_and_an_audit_entry(
    client_for, member, facilitator, thread
):
    message = thread.messages.get()
    url = reverse("followups:report", args=[message.pk])
    response = client_for(member).post(url, {"reason": "harassment", "note": ""})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.snapshot["text"] == OPENING and report.reported_user == facilitator
    assert report.circle == thread.circle
    entry = ModerationAction.objects.get(action="meetings.follow_up.reported")
    assert entry.actor == member and entry.report == report
    assert entry.target_user is None  # the author is not told, through their history
    assert OPENING not in str(entry.extra) and OPENING not in entry.reason
    client_for(member).post(url, {"reason": "harassment"})
    assert ModerationAction.objects.filter(action="meetings.follow_up.reported").count() == 1


def test_nobody_reports_their_own_message(client_for, facilitator, thread):
    message = thread.messages.get()
    url = reverse("followups:report", args=[message.pk])
    assert client_for(facilitator).post(url, {"reason": "spam"}).status_code == 403
    assert not Report.objects.exists()


def test_a_bad_report_reason_changes_nothing(client_for, member, thread):
    url = reverse("followups:report", args=[thread.messages.get().pk])
    assert client_for(member).post(url, {"reason": "lots"}).status_code == 400
    assert not Report.objects.exists()


def test_moderation_can_hide_a_reported_message(client_for, member, staff, thread):
    from moderation.actions import handle_report

    message = thread.messages.get()
    report = actions.report_message(member, message.pk, "harassment")
    handle_report(report, staff, "hide")
    message.refresh_from_db()
    assert message.hidden_at is not None
    page = unescape(client_for(member).get(thread_url(thread)).content.decode())
    assert "hidden by moderation" in page and OPENING not in page


def test_opening_and_closing_are_audited_without_the_text(facilitator, member, thread):
    opened = ModerationAction.objects.get(action="meetings.follow_up.opened")
    assert opened.actor == facilitator and opened.target_user == member
    assert opened.meeting_id == thread.meeting_id and opened.circle == thread.circle
    assert opened.extra["reason"] == "need_support" and opened.extra["source"] == "event"
    actions.close_follow_up(member, thread.pk)
    actions.close_follow_up(member, thread.pk)
    closed = ModerationAction.objects.filter(action="meetings.follow_up.closed")
    assert closed.count() == 1 and closed.get().actor == member
    for entry in ModerationAction.objects.all():
        assert OPENING not in entry.reason and OPENING not in str(entry.extra)
    assert FollowUpMessage.objects.count() == 1


def test_the_authors_moderation_history_does_not_say_they_were_reported(
    client_for, member, facilitator, thread
):
    actions.report_message(member, thread.messages.get().pk, "harassment")
    page = client_for(facilitator).get(reverse("moderation:mine")).content.decode()
    assert "reported" not in page


def test_the_members_moderation_history_holds_no_follow_ups(client_for, member, thread):
    page = client_for(member).get(reverse("moderation:mine")).content.decode()
    assert "follow-up" not in page


def test_after_a_refusal_the_cursor_goes_back_into_the_message(client_for, member, thread):
    page = client_for(member).post(thread_url(thread), {"text": " "}).content.decode()
    assert "autofocus" in page


def test_a_reason_from_another_circle_is_404_to_this_circles_facilitator(
    client_for, facilitator, other_circle_reason
):
    response = client_for(facilitator).post(open_url(other_circle_reason), {"text": "Hello"})
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


def test_a_reason_from_another_meeting_is_404_to_a_facilitator_of_this_one_only(
    client_for, meeting_facilitator, other_meeting_reason
):
    response = client_for(meeting_facilitator).get(open_url(other_meeting_reason))
    assert response.status_code == 404
