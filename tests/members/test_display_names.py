import pytest
from django.core.exceptions import ValidationError

from members.forms import clean_unique_display_name
from members.names import normalize_display_name, validate_display_name


@pytest.mark.parametrize(
    "name",
    [
        "Jo",
        "Quiet Lake",
        "Anne-Marie",
        "O'Neill",
        "J. R.",
        "Zoë",
        "río_42",
        "\uff2d\uff49\uff4b\uff49",
    ],
)
def test_it_accepts_ordinary_pseudonyms(name):
    validate_display_name(name)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("J", "too_short"),
        ("  J  ", "too_short"),
        ("x" * 41, "too_long"),
        ("me@example.org", "email_like"),
        ("jo@home", "email_like"),
        ("https://spam", "url_like"),
        ("www.example", "url_like"),
        ("visit example.com", "url_like"),
        ("Jo <b>", "invalid_characters"),
        ("Admin", "reserved"),
        ("A Former Member", "reserved"),
    ],
)
def test_it_refuses_names_that_break_a_rule(name, code):
    with pytest.raises(ValidationError) as refusal:
        validate_display_name(name)
    assert refusal.value.code == code


def test_it_collapses_whitespace_and_normalises_look_alikes():
    assert normalize_display_name("  Quiet   Lake ") == "Quiet Lake"
    assert normalize_display_name("\uff2d\uff49\uff4b\uff49") == "Miki"


def test_names_are_unique_whatever_the_case(user_factory):
    user_factory(display_name="Quiet Lake")
    with pytest.raises(ValidationError, match="already uses that name"):
        clean_unique_display_name("quiet  LAKE")


def test_a_member_may_keep_their_own_name(user_factory):
    user = user_factory(display_name="Quiet Lake")
    assert clean_unique_display_name("quiet lake", exclude_pk=user.pk) == "quiet lake"


def test_the_database_refuses_a_case_variant_duplicate(user_factory):
    from django.db import IntegrityError, transaction

    user_factory(display_name="River")
    with pytest.raises(IntegrityError), transaction.atomic():
        user_factory(display_name="RIVER")
