"""The rules for display names: the pseudonym every other member sees."""

import functools
import re
import unicodedata
from collections.abc import Callable

from django.core.exceptions import ValidationError

from members.text import name_keys, validate_one_script, validate_single_line

MIN_LENGTH = 2
MAX_LENGTH = 40
FORMER_MEMBER = "a former member"
NAME_TAKEN = (
    "Someone already uses that name, or one that looks just like it. Please choose another."
)
RESERVED = {
    "a former member",
    "former member",
    "hearth",
    "admin",
    "administrator",
    "moderator",
    "staff",
    "system",
    "anonymous",
}
ALLOWED = re.compile(r"^[\w .'\-]+$")
LOOKS_LIKE_EMAIL = re.compile(r"\S@\S")
# A scheme, "www." or a host name ending in a common top-level domain ("hearth-help.com",
# "x.co.uk"). Initials ("J.R. Tolkien") and abbreviations ("St. Clare") are names.
TOP_LEVEL_DOMAINS = (
    "com|net|org|info|biz|app|dev|io|ai|co|me|ly|gg|to|tv|xyz|site|online|link|shop|live|"
    "club|page|uk|us|ca|au|de|fr|es|it|nl|eu|ru|cn|in|br|jp"
)
LOOKS_LIKE_URL = re.compile(
    rf"://|\bwww\.|[^\W_]\.(?:{TOP_LEVEL_DOMAINS})(?![^\W_])", re.IGNORECASE
)


@functools.cache
def reserved_keys() -> frozenset[str]:
    return frozenset(key for name in RESERVED for key in name_keys(name))


# Higher apps (moderation's blocked words) add checks here at start-up, so members
# never imports them. Each check raises ValidationError.
extra_checks: list[Callable[[str], None]] = []


def normalize_display_name(value: str) -> str:
    """NFKC-normalise and collapse runs of whitespace, so look-alikes compare equal."""
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def validate_display_name(value: str) -> None:
    validate_single_line(value)
    name = normalize_display_name(value)
    if len(name) < MIN_LENGTH:
        raise ValidationError(
            f"Choose a name of at least {MIN_LENGTH} characters.", code="too_short"
        )
    if len(name) > MAX_LENGTH:
        raise ValidationError(
            f"Keep your name to {MAX_LENGTH} characters or fewer.", code="too_long"
        )
    if LOOKS_LIKE_EMAIL.search(name):
        raise ValidationError(
            "A display name can't look like an email address: it is shown to everyone.",
            code="email_like",
        )
    if LOOKS_LIKE_URL.search(name):
        raise ValidationError("A display name can't look like a web address.", code="url_like")
    if not ALLOWED.match(name):
        raise ValidationError(
            "Use letters, numbers, spaces, and . ' _ - only.", code="invalid_characters"
        )
    validate_one_script(name)
    if reserved_keys().intersection(name_keys(name)):
        raise ValidationError("That name is reserved. Please choose another.", code="reserved")
    for check in extra_checks:
        check(name)
