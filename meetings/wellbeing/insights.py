"""What facilitators may learn from check-ins: pure functions, no Django, no I/O.

The rules (docs/wellbeing.md explains them to people):

- Group figures exist only when at least ``MIN_ANSWERS`` people gave a score. With fewer,
  there is nothing at all to show (``None``), not even how many answered, so that no one
  can be singled out. Each figure has its own threshold: the arriving distribution needs
  three arriving scores, the leaving one three leaving scores, and the average change
  three people who gave both.
- "Rather not say" is an answer, but not a score: it never counts towards a threshold.
- Follow-ups are the only thing shown per person: someone who asked for a check-in, or
  who left at least ``MUCH_LOWER_DROP`` points lower than they arrived.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

ARRIVING = "arriving"
LEAVING = "leaving"
MOMENTS = (ARRIVING, LEAVING)
SCORES = (1, 2, 3, 4, 5)
MIN_ANSWERS = 3
MUCH_LOWER_DROP = 2

ASKED = "asked"
MUCH_LOWER = "much_lower"


class OffScale(ValueError):
    """A score that is not on the five-point scale (nor "rather not say")."""


@dataclass(frozen=True)
class Answer:
    """One person's answer at one moment. ``score`` ``None`` is "rather not say"."""

    person: Hashable
    moment: str
    score: int | None
    wants_check_in: bool = False


@dataclass(frozen=True)
class GroupInsights:
    """What a facilitator sees about one meeting. A figure is ``None`` below the threshold."""

    arriving: dict[int, int] | None
    leaving: dict[int, int] | None
    average_change: float | None
    pairs: int | None


@dataclass(frozen=True)
class FollowUp:
    person: Hashable
    reasons: tuple[str, ...]

    @property
    def asked(self) -> bool:
        return ASKED in self.reasons

    @property
    def much_lower(self) -> bool:
        return MUCH_LOWER in self.reasons


def parse_score(value) -> int | None:
    """A score from a form or JSON: ``1``..``5``, or ``None``/``""``/``"none"`` for "rather
    not say". Anything else (``0``, ``6``, ``"2.5"``, ``True``, ``"lots"``) is ``OffScale``."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    if isinstance(value, bool):
        raise OffScale(value)
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            raise OffScale(value)
        value = int(value)
    if not isinstance(value, int) or value not in SCORES:
        raise OffScale(value)
    return value


def distribution(scores: Iterable[int | None]) -> dict[int, int] | None:
    """``{1: n1, ..., 5: n5}`` over the given scores ("rather not say" left out), or ``None``
    when fewer than ``MIN_ANSWERS`` scores were given."""
    counted = [score for score in scores if score is not None]
    if len(counted) < MIN_ANSWERS:
        return None
    result = dict.fromkeys(SCORES, 0)
    for score in counted:
        if score not in result:
            raise OffScale(score)
        result[score] += 1
    return result


def _latest_by_person(answers: Iterable[Answer], moment: str) -> dict[Hashable, Answer]:
    """One answer per person at ``moment`` (the last one given wins)."""
    found: dict[Hashable, Answer] = {}
    for answer in answers:
        if answer.moment == moment:
            found[answer.person] = answer
    return found


def changes(answers: Iterable[Answer]) -> dict[Hashable, int]:
    """``{person: leaving - arriving}`` for everyone who gave both scores."""
    answers = list(answers)
    arriving = _latest_by_person(answers, ARRIVING)
    leaving = _latest_by_person(answers, LEAVING)
    return {
        person: leaving[person].score - arriving[person].score
        for person in arriving.keys() & leaving.keys()
        if arriving[person].score is not None and leaving[person].score is not None
    }


def average_change(answers: Iterable[Answer]) -> float | None:
    """The mean of each person's leaving minus arriving score, rounded to one decimal, or
    ``None`` when fewer than ``MIN_ANSWERS`` people gave both."""
    deltas = list(changes(answers).values())
    if len(deltas) < MIN_ANSWERS:
        return None
    return round(sum(deltas) / len(deltas), 1)


def group_insights(answers: Iterable[Answer]) -> GroupInsights | None:
    """Everything the group may be shown, or ``None`` when nothing passes the threshold."""
    answers = list(answers)
    arriving = distribution(a.score for a in _latest_by_person(answers, ARRIVING).values())
    leaving = distribution(a.score for a in _latest_by_person(answers, LEAVING).values())
    deltas = changes(answers)
    change = average_change(answers)
    if arriving is None and leaving is None and change is None:
        return None
    return GroupInsights(
        arriving=arriving,
        leaving=leaving,
        average_change=change,
        pairs=len(deltas) if change is not None else None,
    )


def is_much_lower(arriving: int | None, leaving: int | None) -> bool:
    """Left at least ``MUCH_LOWER_DROP`` points lower than they arrived."""
    if arriving is None or leaving is None:
        return False
    return arriving - leaving >= MUCH_LOWER_DROP


def follow_ups(answers: Iterable[Answer]) -> list[FollowUp]:
    """Who should get a gentle check-in: those who asked (at either moment) and those who
    left much lower. In the order people first appear in ``answers``."""
    answers = list(answers)
    arriving = _latest_by_person(answers, ARRIVING)
    leaving = _latest_by_person(answers, LEAVING)
    order: list[Hashable] = []
    for answer in answers:
        if answer.person not in order:
            order.append(answer.person)
    result = []
    for person in order:
        reasons = []
        mine = [a for a in (arriving.get(person), leaving.get(person)) if a is not None]
        if any(a.wants_check_in for a in mine):
            reasons.append(ASKED)
        came, went = arriving.get(person), leaving.get(person)
        if came is not None and went is not None and is_much_lower(came.score, went.score):
            reasons.append(MUCH_LOWER)
        if reasons:
            result.append(FollowUp(person=person, reasons=tuple(reasons)))
    return result
