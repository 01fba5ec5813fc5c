"""Staff edit the safety lists in the admin; everything else there is read-only."""

import pytest
from django.urls import reverse

from moderation.actions import record_action
from moderation.models import BlockedWord, CrisisPhrase, ModerationAction
from moderation.safety import find_blocked_word, find_crisis_match


def test_staff_add_a_crisis_phrase_and_it_matches_at_once(client, staff):
    assert not find_crisis_match("I feel like giving up on everything", "en")
    client.force_login(staff)
    response = client.post(
        reverse("admin:moderation_crisisphrase_add"),
        {"phrase": "giving up on everything", "language": "en", "active": "on"},
    )
    assert response.status_code == 302
    assert find_crisis_match("I feel like giving up on everything", "en")
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.actor) == ("moderation.crisisphrase.added", staff)
    assert "giving up" not in str(entry.extra)


def test_staff_switch_off_a_blocked_word(client, staff):
    word = BlockedWord.objects.create(word="meanword")
    assert find_blocked_word("meanword") == "meanword"
    client.force_login(staff)
    response = client.post(
        reverse("admin:moderation_blockedword_change", args=[word.pk]), {"word": "meanword"}
    )
    assert response.status_code == 302
    assert find_blocked_word("meanword") is None
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.extra) == (
        "moderation.blockedword.changed",
        {"id": word.pk, "fields": ["active"]},
    )


def test_staff_delete_a_crisis_phrase(client, staff):
    phrase = CrisisPhrase.objects.create(phrase="no way out", language="en")
    client.force_login(staff)
    client.post(reverse("admin:moderation_crisisphrase_delete", args=[phrase.pk]), {"post": "yes"})
    assert not CrisisPhrase.objects.filter(pk=phrase.pk).exists()
    assert not find_crisis_match("no way out", "en")
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.extra) == ("moderation.crisisphrase.deleted", {"id": phrase.pk})


def test_a_bulk_delete_writes_an_entry_for_each_row(client, staff):
    words = [BlockedWord.objects.create(word=word) for word in ("one", "two")]
    client.force_login(staff)
    client.post(
        reverse("admin:moderation_blockedword_changelist"),
        {"action": "delete_selected", "_selected_action": [w.pk for w in words], "post": "yes"},
    )
    assert not BlockedWord.objects.filter(pk__in=[w.pk for w in words]).exists()
    assert sorted(ModerationAction.objects.values_list("action", flat=True)) == [
        "moderation.blockedword.deleted",
        "moderation.blockedword.deleted",
    ]


@pytest.mark.parametrize(
    "name", ["report", "safetyevent", "suspension", "notice", "moderationaction"]
)
def test_staff_only_read_the_rest(client, staff, name):
    record_action(actor=staff, action="moderation.report.dismissed")
    client.force_login(staff)
    assert client.get(reverse(f"admin:moderation_{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:moderation_{name}_add")).status_code == 403


def test_staff_cannot_delete_log_entries_in_the_admin(client, staff):
    entry = record_action(actor=staff, action="moderation.report.dismissed")
    client.force_login(staff)
    url = reverse("admin:moderation_moderationaction_delete", args=[entry.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert ModerationAction.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("who", ["host", "member"])
def test_members_and_hosts_are_kept_out_of_the_admin(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("admin:moderation_crisisphrase_add"), {"phrase": "x", "language": "en"}
    )
    assert response.status_code == 302
    assert "/admin/login/" in response.url
    assert not CrisisPhrase.objects.filter(phrase="x").exists()
