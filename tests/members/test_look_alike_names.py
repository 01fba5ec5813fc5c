"""Nobody can take a name that looks like someone else's.

In a pseudonymous support group a look-alike of a member's or a facilitator's name is
impersonation. Names are compared by their Unicode confusable skeleton (UTS #39) besides
case and NFKC, and a name that mixes scripts so that a letter looks like one from another
script is refused outright. Non-ASCII letters are written as escapes so this file shows
exactly which character is which.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from members.forms import clean_unique_display_name
from members.models import User
from members.names import validate_display_name
from members.text import looks_like_another_script, name_keys

CYRILLIC_A = "\u0430"
GREEK_ALPHA = "\u0391"
SIGNUP = {
    "email": "newcomer@example.org",
    "time_zone": "Europe/Lisbon",
    "password1": "a calm evening by the lake",
    "password2": "a calm evening by the lake",
}


@pytest.mark.parametrize(
    ("look_alike", "original"),
    [
        (f"{CYRILLIC_A}lex", "Alex"),
        (f"{GREEK_ALPHA}lex", "Alex"),
        (f"{GREEK_ALPHA}LEX", "alex"),
        ("AIex", "Alex"),  # a capital i for the l
        ("0live", "Olive"),  # a zero for the O
        ("Sarn", "Sam"),  # r and n for the m
        ("\uff33\uff41\uff4d", "Sam"),  # fullwidth letters
        ("EVENING GRIEF CIRCLE", "Evening grief circle"),  # a capital I, not an l
    ],
)
def test_look_alikes_share_a_name_key(look_alike, original):
    assert set(name_keys(look_alike)) & set(name_keys(original))


@pytest.mark.parametrize(("one", "other"), [("Alex", "Alec"), ("Jo", "Joe"), ("Zo\u00eb", "Zoe")])
def test_different_names_keep_different_keys(one, other):
    assert not set(name_keys(one)) & set(name_keys(other))


@pytest.mark.parametrize(
    "name", [f"S{CYRILLIC_A}m", f"{GREEK_ALPHA}lex", "Ivan \u0418\u0432\u0430\u043d"]
)
def test_a_name_mixing_scripts_that_look_alike_is_refused_in_plain_words(name):
    assert looks_like_another_script(name)
    with pytest.raises(ValidationError, match="mixes alphabets") as refusal:
        validate_display_name(name)
    assert refusal.value.code == "mixed_script"


@pytest.mark.parametrize(
    "name",
    [
        "\u0421\u044d\u043c",  # Cyrillic only
        "\u0391\u03bd\u03bd\u03b1",  # Greek only
        "\u7530\u4e2d\u3055\u3093",  # Han with Hiragana, as Japanese is written
        "\ud55c\uc9c0\ubbfc",  # Hangul
        "Zo\u00eb",
    ],
)
def test_names_in_one_script_or_written_together_are_welcome(name):
    assert not looks_like_another_script(name)
    validate_display_name(name)


@pytest.mark.parametrize("name", ["J.R. Tolkien", "St. Clare", "Dr. Jo", "A.J.", "Mary-Jo O'Neill"])
def test_initials_and_abbreviations_are_not_web_addresses(name):
    validate_display_name(name)


@pytest.mark.parametrize(
    "name", ["hearth-help.com", "support.org", "visit example.co.uk", "www.hearth", "http://x"]
)
def test_web_addresses_are_still_refused(name):
    with pytest.raises(ValidationError) as refusal:
        validate_display_name(name)
    assert refusal.value.code == "url_like"


@pytest.mark.parametrize("name", ["Adrnin", "Moderat0r", f"{GREEK_ALPHA}DMIN"])
def test_look_alikes_of_reserved_names_are_refused(name):
    with pytest.raises(ValidationError):
        validate_display_name(name)


def test_clean_unique_refuses_a_look_alike_of_a_member(user_factory):
    user_factory(display_name="Alex")
    with pytest.raises(ValidationError, match="looks just like it"):
        clean_unique_display_name("AIex")


def test_sign_up_refuses_a_look_alike_of_a_member_and_keeps_the_rest(client, user_factory):
    user_factory(display_name="Alex")
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "display_name": f"{CYRILLIC_A}lex"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "mixes alphabets" in page
    assert 'value="newcomer@example.org"' in page
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_sign_up_refuses_a_name_that_looks_like_a_member_in_one_script(client, user_factory):
    user_factory(display_name="Alex")
    response = client.post(reverse("account_signup"), {**SIGNUP, "display_name": "AIex"})
    assert "looks just like it" in response.content.decode()
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_settings_refuse_a_look_alike_of_a_facilitator(client, user_factory):
    user_factory(display_name="Sam")
    me = user_factory(display_name="Quiet Lake")
    client.force_login(me)
    response = client.post(
        reverse("members:settings"),
        {"display_name": "Sarn", "pronouns": "", "time_zone": "UTC"},
    )
    assert response.status_code == 200
    assert "looks just like it" in response.content.decode()
    me.refresh_from_db()
    assert me.display_name == "Quiet Lake"


def test_a_long_name_is_refused_with_the_forty_character_rule(client, user_factory):
    me = user_factory(display_name="Quiet Lake")
    client.force_login(me)
    response = client.post(
        reverse("members:settings"),
        {"display_name": "x" * 81, "pronouns": "", "time_zone": "UTC"},
    )
    page = response.content.decode()
    assert "40 characters or fewer" in page
    assert "80" not in page.split("<main", 1)[1]
    client.logout()
    response = client.post(reverse("account_signup"), {**SIGNUP, "display_name": "y" * 200})
    assert "40 characters or fewer" in response.content.decode()


@pytest.mark.parametrize("name", ["Two\nLines", "Tab\tName", "Nul\x00Name", "Bell\x07"])
def test_control_characters_are_refused_in_a_display_name(name):
    with pytest.raises(ValidationError) as refusal:
        validate_display_name(name)
    assert refusal.value.code == "control_characters"


def test_the_admin_refuses_a_look_alike_too(user_factory):
    user_factory(display_name="Alex")
    newcomer = User(email="new@example.org", display_name="AIex")
    with pytest.raises(ValidationError) as refusal:
        newcomer.full_clean(exclude=["password"])
    assert "display_name" in refusal.value.message_dict


def test_the_database_keeps_look_alikes_apart_even_past_the_forms(user_factory):
    user_factory(display_name="Alex")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("x@example.org", "pw", display_name=f"{GREEK_ALPHA}lex")
