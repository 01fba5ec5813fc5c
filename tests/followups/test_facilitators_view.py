"""The insights page and the moderation queue offer "Send a follow-up" next to each
reason, and say who followed up and what still waits."""

from django.urls import reverse

from meetings.followups import actions


def insights(client, meeting):
    return client.get(f"/meetings/{meeting.pk}/insights/").content.decode()


def test_the_insights_page_offers_a_follow_up_next_to_each_reason(
    client_for, facilitator, meeting, support_event, asked_reason, lower_reason
):
    page = insights(client_for(facilitator), meeting)
    for reason in (support_event, asked_reason, lower_reason):
        assert reverse("followups:open", args=[reason.source, reason.source_id]) in page
    assert "asked for support" in page and "left much lower" in page
    assert page.count("Waiting") == 3


def test_once_followed_up_the_page_says_by_whom_and_offers_no_second_message(
    client_for, facilitator, host, meeting, support_event, asked_reason
):
    thread = actions.open_follow_up(host, support_event, "Hello from Hanna.")
    page = insights(client_for(facilitator), meeting)
    assert page.count("Followed up by Hanna Host (open)") == 2
    assert "Send a follow-up" not in page
    assert thread.get_absolute_url() in page


def test_the_moderation_queue_offers_a_follow_up_next_to_a_safety_event(
    client_for, host, support_event
):
    client = client_for(host)
    page = client.get(reverse("moderation:queue")).content.decode()
    url = reverse("followups:open", args=["event", support_event.source_id])
    assert url in page and "Send a follow-up" in page and "Not followed up yet." in page
    actions.open_follow_up(host, support_event, "Hello from Hanna.")
    page = client.get(reverse("moderation:queue")).content.decode()
    assert url not in page and "Followed up by Hanna Host (open)." in page


def test_me_lists_the_members_follow_ups_and_the_facilitators(
    client_for, member, facilitator, thread
):
    assert "A message from Evening grief circle" in client_for(member).get("/me/").content.decode()
    page = client_for(facilitator).get("/me/").content.decode()
    assert "With Milo Member" in page and thread.get_absolute_url() in page


def test_me_lists_only_threads_its_reader_may_read(
    client_for, people, thread, meeting_facilitator, circle
):
    from meetings.followups.queries import threads_for

    for role in ("member", "facilitator", "meeting_facilitator", "host"):
        assert threads_for(people[role]) == [thread]
    for role in ("other_member", "outsider", "staff", "other_host"):
        assert threads_for(people[role]) == []
    meeting_facilitator.memberships.filter(circle=circle).update(state="left")
    assert threads_for(meeting_facilitator) == []
