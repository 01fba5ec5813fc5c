"""Crisis phrases, blocked words, safety events and their follow-up."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.names import validate_display_name
from moderation.actions import record_safety_event, set_follow_up
from moderation.models import BlockedWord, CrisisPhrase, ModerationAction, SafetyEvent
from moderation.safety import check_text, find_blocked_word, find_crisis_match, normalize


def test_normalize_folds_case_accents_punctuation_and_spaces():
    assert normalize("  Ça   VA?!  Don\u2019t\u2014stop\n") == "ca va dont stop"


@pytest.mark.parametrize(
    "text",
    [
        "Some days I want to kill myself.",
        "I want to KILL    MYSELF",
        "suicide",
        "thinking about suicide, honestly",
        "I don't want to be alive anymore",
        "I dont want to be alive",
        "I DON\u2019T WANT TO BE ALIVE",
        "i might hurt myself tonight",
        "want to end my life...",
    ],
)
def test_crisis_phrases_match_whatever_the_case_accents_or_punctuation(db, text):
    assert find_crisis_match(text, "en")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I had a good week, thanks everyone",
        "my skill myself is growing",
        "suicidepreventionday",
        "killing time myself",
    ],
)
def test_ordinary_words_do_not_match(db, text):
    assert not find_crisis_match(text, "en")


def test_crisis_phrases_are_per_language(db):
    assert find_crisis_match("Quiero morir", "es")
    assert find_crisis_match("quitarme la vída", "es")
    assert not find_crisis_match("quiero morir", "en")
    assert find_crisis_match("quiero morir", None)


def test_phrases_for_every_language_match_everywhere(db):
    CrisisPhrase.objects.create(phrase="988", language="")
    assert find_crisis_match("should I call 988", "fr")


def test_inactive_phrases_and_staff_edits_take_effect_at_once(db):
    assert find_crisis_match("suicide", "en")
    CrisisPhrase.objects.filter(phrase="suicide").update(active=False)
    phrase = CrisisPhrase.objects.get(phrase="suicidal")
    phrase.save()  # any save through the admin clears the cache
    assert not find_crisis_match("suicide", "en")
    CrisisPhrase.objects.create(phrase="no way out", language="en")
    assert find_crisis_match("There is No Way Out.", "en")


def test_blocked_words_match_whole_words_only(db):
    BlockedWord.objects.create(word="Meanword")
    assert find_blocked_word("you are a MEANWORD!") == "Meanword"
    assert find_blocked_word("you are a meánword") == "Meanword"
    assert find_blocked_word("meanwords are not this") is None
    assert find_blocked_word("nothing here") is None


def test_inactive_blocked_words_are_allowed(db):
    BlockedWord.objects.create(word="meanword", active=False)
    assert find_blocked_word("meanword") is None


def test_check_text_refuses_a_blocked_word_with_a_clear_message(db):
    BlockedWord.objects.create(word="meanword")
    with pytest.raises(ValidationError) as error:
        check_text("what a meanword")
    assert error.value.code == "blocked_word"
    assert "isn't allowed" in error.value.messages[0]
    check_text("what a kind word")


def test_a_display_name_with_a_blocked_word_is_refused(db):
    BlockedWord.objects.create(word="meanword")
    with pytest.raises(ValidationError) as error:
        validate_display_name("Meanword Fan")
    assert error.value.code == "blocked_word"
    validate_display_name("Kind Fan")


def test_the_defaults_are_seeded(db):
    assert CrisisPhrase.objects.filter(language="en", phrase="kill myself").exists()
    assert BlockedWord.objects.exists()


# --- Safety events ----------------------------------------------------------------------------


def test_record_safety_event_keeps_no_text(db, member, circle):
    event = record_safety_event(kind="crisis_match", user=member, circle=circle, meeting_id=3)
    assert (event.user_name, event.note, event.follow_up) == (member.display_name, "", "open")


def test_record_safety_event_refuses_an_unknown_kind(db):
    with pytest.raises(ValueError):
        record_safety_event(kind="panic")
    assert not SafetyEvent.objects.exists()


@pytest.fixture
def event(member, circle):
    return record_safety_event(kind="need_support", user=member, circle=circle, meeting_id=3)


def _follow(client, user, event, **data):
    client.force_login(user)
    return client.post(reverse("moderation:follow_up", args=[event.pk]), data, follow=True)


@pytest.mark.parametrize("who", ["host", "staff"])
def test_hosts_and_staff_follow_up(client, request, event, who):
    user = request.getfixturevalue(who)
    response = _follow(client, user, event, state="reached_out", note="Called them")
    assert "Follow-up saved" in response.content.decode()
    event.refresh_from_db()
    assert (event.follow_up, event.follow_up_by) == ("reached_out", user)
    entry = ModerationAction.objects.get()
    assert entry.action == "moderation.safety.followed_up"
    assert entry.extra == {
        "event_id": event.pk,
        "from": "open",
        "to": "reached_out",
        "kind": "need_support",
    }


def test_a_closed_event_leaves_the_queue(client, host, event):
    _follow(client, host, event, state="closed")
    assert "Asked for support" not in client.get(reverse("moderation:queue")).content.decode()


def test_following_up_twice_the_same_way_changes_nothing(host, event):
    set_follow_up(event, host, "closed")
    set_follow_up(event, host, "closed")
    assert ModerationAction.objects.count() == 1


@pytest.mark.parametrize("who", ["member", "facilitator", "other_host", "other_member"])
def test_others_cannot_follow_up(client, request, event, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("moderation:follow_up", args=[event.pk]), {"state": "closed"})
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.follow_up == "open"


def test_a_bad_follow_up_state_changes_nothing(client, host, event):
    response = _follow(client, host, event, state="forgotten")
    assert "Select a valid choice" in response.content.decode()
    event.refresh_from_db()
    assert event.follow_up == "open"


def test_follow_up_needs_post(client, host, event):
    client.force_login(host)
    assert client.get(reverse("moderation:follow_up", args=[event.pk])).status_code == 405


def test_a_list_changed_by_another_process_is_used_here_within_five_seconds(db, monkeypatch):
    from django.core.cache import cache

    from moderation import safety

    BlockedWord.objects.create(word="flimflam")
    assert find_blocked_word("what flimflam") == "flimflam"
    # Another process saved a new list: the shared cache holds it, this process's copy
    # does not know yet.
    cache.set(safety.BLOCKED_CACHE_KEY, [("gobbledygook", "gobbledygook")])
    assert find_blocked_word("what gobbledygook") is None
    later = safety.time.monotonic() + safety.PROCESS_COPY_SECONDS + 0.1
    monkeypatch.setattr(safety.time, "monotonic", lambda: later)
    assert find_blocked_word("what gobbledygook") == "gobbledygook"
