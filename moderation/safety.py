"""Crisis phrases and blocked words: pure matching over lists staff edit in the admin.

Text and list entries are normalised the same way before comparing: Unicode compatibility
forms folded, accents removed, case folded, apostrophes dropped ("don't" = "dont"), any
other punctuation turned into a space, runs of whitespace collapsed. Matching is by whole
words, so "skill myself" does not match "kill myself" and "class" does not match "ass".

The lists are cached for a minute and the cache is cleared whenever staff change them;
each process also keeps its own copy for five seconds, so a change reaches the other
server processes within five seconds.
"""

import contextlib
import logging
import re
import time
import unicodedata

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from hearth.refusal import Refused

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60
PROCESS_COPY_SECONDS = 5
CRISIS_CACHE_KEY = "moderation:crisis-phrases:v1"
BLOCKED_CACHE_KEY = "moderation:blocked-words:v1"

_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc`]")
_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Fold ``text`` to lower-case unaccented words separated by single spaces."""
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    text = _APOSTROPHES.sub("", text.casefold())
    return " ".join(_NOT_WORD.sub(" ", text).split())


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether the normalised ``phrase`` occurs in ``text`` as whole words."""
    needle = normalize(phrase)
    return bool(needle) and f" {needle} " in f" {normalize(text)} "


def _crisis_phrases() -> list[tuple[str, str]]:
    from moderation.models import CrisisPhrase

    return _remembered(
        CRISIS_CACHE_KEY,
        lambda: [
            (normalize(phrase), language)
            for phrase, language in CrisisPhrase.objects.filter(active=True).values_list(
                "phrase", "language"
            )
        ],
    )


def _blocked_words() -> list[tuple[str, str]]:
    from moderation.models import BlockedWord

    return _remembered(
        BLOCKED_CACHE_KEY,
        lambda: [
            (normalize(word), word)
            for word in BlockedWord.objects.filter(active=True).values_list("word", flat=True)
        ],
    )


_in_process: dict[str, tuple[float, list]] = {}


def _remembered(key: str, build) -> list:
    """The list under ``key``: from this process's copy for a few seconds (every share in
    a room is checked against both lists), else from the shared cache, else built."""
    now = time.monotonic()
    copy = _in_process.get(key)
    if copy is not None and now < copy[0]:
        return copy[1]
    try:
        value = cache.get(key)
    except Exception:  # the shared cache (Redis) is away: the database still knows
        value = None
    if value is None:
        value = build()
        with contextlib.suppress(Exception):
            cache.set(key, value, CACHE_SECONDS)
    _in_process[key] = (now + PROCESS_COPY_SECONDS, value)
    return value


def clear_cache(**kwargs) -> None:
    _in_process.clear()
    cache.delete_many([CRISIS_CACHE_KEY, BLOCKED_CACHE_KEY])


def crisis_languages(text: str) -> set[str]:
    """The languages of the active crisis phrases found in ``text`` ("" for a phrase of
    every language); empty when none is found. Never logs or stores the text."""
    haystack = f" {normalize(text)} "
    return {
        phrase_language
        for phrase, phrase_language in _crisis_phrases()
        if phrase and f" {phrase} " in haystack
    }


def find_crisis_match(text: str, language: str | None = None) -> bool:
    """Whether ``text`` contains an active crisis phrase of ``language`` (or of every
    language). ``language=None`` checks every phrase. Never logs or stores the text."""
    found = crisis_languages(text)
    return bool(found) and (language is None or bool(found & {"", language}))


def find_blocked_word(text: str) -> str | None:
    """The first active blocked word found in ``text`` as a whole word, or ``None``."""
    haystack = f" {normalize(text)} "
    for normalized, word in _blocked_words():
        if normalized and f" {normalized} " in haystack:
            return word
    return None


def check_text(text: str) -> None:
    """Raise ``ValidationError`` (code ``blocked_word``) if ``text`` contains a blocked word.

    The room answers it with the error code ``bad_request`` and this message.
    """
    word = find_blocked_word(text)
    if word is not None:
        raise ValidationError(
            f"This contains a word that isn't allowed on Hearth (“{word}”). "
            "Please put it another way.",
            code="blocked_word",
        )


def refuse_blocked_words(text: str) -> None:
    """``check_text`` for actions: a blocked word is ``Refused("bad_request")``."""
    try:
        check_text(text)
    except ValidationError as error:
        raise Refused("bad_request", error.messages[0]) from None


def check_display_name(name: str) -> None:
    """A display-name check for ``members.names.extra_checks``.

    If the list can't be read (no database yet, before migrations, or a pure unit test of
    the name rules) the name is let through with a warning: saving it needs the database
    anyway, and the name rules in members still apply.
    """
    try:
        word = find_blocked_word(name)
    except (DatabaseError, RuntimeError):
        logger.warning("moderation.safety blocked words unavailable for a display-name check")
        return
    if word is not None:
        raise ValidationError(
            "That name contains a word that isn't allowed on Hearth. Please choose another.",
            code="blocked_word",
        )
