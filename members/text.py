"""Rules for text people type, shared by every app (members is the lowest one).

Two families:

- **Control characters.** A single-line value (a name, a title, a reason typed on one
  line) may hold no line break and no other control character: CR and LF would start a
  new line in a calendar file, an email header or a log line, NUL is refused by
  PostgreSQL, and the rest are invisible. ``validate_single_line`` is the one check, on
  the model fields (so the admin applies it too) and on the form fields.
- **Look-alikes.** Names other people read (display names, circle names) are compared by
  their *name key*: NFKC, then the Unicode confusable skeleton of UTS #39 (``skeleton``),
  case folded, so "alex" spelt with a Cyrillic a (U+0430), "ALEX" with a Greek capital
  alpha (U+0391) and "AIex" with a capital i all collide with "Alex". A name mixing
  scripts where one letter looks like a letter of another script in it is refused
  outright (``looks_like_another_script``).

The confusable and script data come from the ``confusable-homoglyphs`` package (the
Unicode files ``confusables.txt`` and ``Scripts.txt``); see docs/security.md.
"""

import functools
import unicodedata
from collections import defaultdict

from confusable_homoglyphs import categories, confusables
from django.core.exceptions import ValidationError

# C0 controls, DEL, C1 controls, and the two Unicode line and paragraph separators.
_CONTROL = {*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029}
SINGLE_LINE_MESSAGE = "Please keep this on one line, without line breaks or control characters."


def has_control_characters(value: str) -> bool:
    return any(ord(char) in _CONTROL for char in value or "")


def validate_single_line(value) -> None:
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="control_characters")


# --- The confusable skeleton (UTS #39 section 4) ----------------------------------------

_DIRECTION_MARKS = str.maketrans("", "", "\u200e\u200f")


@functools.cache
def _prototypes() -> dict[str, str]:
    """Each confusable character and the prototype it is confused with.

    The package keeps ``confusables.txt`` as pairs in both directions. Every line of that
    file maps one source character to its prototype, and a prototype is never a source,
    so each group of look-alikes is a star around its prototype: the member linked to all
    the others (or the one string longer than a character, like "rn" for "m").
    """
    links: dict[str, set[str]] = defaultdict(set)
    for char, entries in confusables.confusables_data.items():
        source = char.translate(_DIRECTION_MARKS)
        for entry in entries:
            target = entry["c"].translate(_DIRECTION_MARKS)
            if source and target and source != target:
                links[source].add(target)
                links[target].add(source)
    mapping: dict[str, str] = {}
    seen: set[str] = set()
    for start in links:
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node not in group:
                group.add(node)
                todo.extend(links[node] - group)
        seen |= group
        prototype = max(
            group,
            key=lambda node: (len(node) > 1, len(links[node]), node.isascii(), -ord(node[0])),
        )
        for node in group:
            if len(node) == 1 and node != prototype:
                mapping[node] = prototype
    return mapping


def skeleton(value: str) -> str:
    """The UTS #39 skeleton: NFD, each character replaced by its prototype, NFD again."""
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", value)
    mapped = "".join(prototypes.get(char, char) for char in decomposed)
    return unicodedata.normalize("NFD", mapped)


def name_keys(value: str) -> tuple[str, str]:
    """What no two names may share, as two keys of one kind: NFKC with runs of spaces
    collapsed, then

    - case folded, then the skeleton: "EVENING GRIEF CIRCLE" meets "Evening grief circle"
      (the skeleton alone would read the capital I as an l);
    - the skeleton, case folded, the skeleton again: "AIex" with a capital i meets "Alex"
      (case folding first would make it "aiex").

    Two names collide when their keys share any value.
    """
    name = " ".join(unicodedata.normalize("NFKC", value or "").split())
    return skeleton(name.casefold()), skeleton(skeleton(name).casefold())


# --- Mixed scripts (UTS #39 section 5) --------------------------------------------------

_NEUTRAL = {"COMMON", "INHERITED"}
# Scripts written together in one language (UTS #39 "highly restrictive"): never refused.
_WRITTEN_TOGETHER = (
    {"LATIN", "HAN", "HIRAGANA", "KATAKANA"},
    {"LATIN", "HAN", "HANGUL"},
    {"LATIN", "HAN", "BOPOMOFO"},
)


def scripts_of(value: str) -> set[str]:
    return {categories.alias(char) for char in value} - _NEUTRAL


def looks_like_another_script(value: str) -> bool:
    """The name mixes scripts and one of its letters looks like a letter of another script
    in the same name, like "Sam" spelt with a Cyrillic a (U+0430)."""
    scripts = scripts_of(value)
    if len(scripts) < 2 or any(scripts <= allowed for allowed in _WRITTEN_TOGETHER):
        return False
    for char in set(value):
        script = categories.alias(char)
        if script in _NEUTRAL:
            continue
        others = scripts - {script}
        for entry in confusables.confusables_data.get(char, ()):
            glyph = entry["c"].translate(_DIRECTION_MARKS)
            if glyph and {categories.alias(g) for g in glyph} <= others:
                return True
    return False


MIXED_SCRIPT_MESSAGE = (
    "This name mixes alphabets (for example Latin and Cyrillic letters) in a way that "
    "makes it look like a different name. Please write it in one alphabet."
)


def validate_one_script(value: str) -> None:
    if looks_like_another_script(value):
        raise ValidationError(MIXED_SCRIPT_MESSAGE, code="mixed_script")
