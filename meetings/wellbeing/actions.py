"""Every change to check-ins, the toolbox and per-meeting agreements goes through here.

Each function runs in one transaction, locks the row that owns the resource
(``select_for_update``: the meeting for check-ins and agreements, the strategy for
reviews, marks and saves, the member's membership for new strategies), checks, then
changes. A refusal raises ``hearth.refusal.Refused``: ``bad_request`` or ``too_long`` (bad
input: off the scale, empty, a blocked word, helped twice), ``forbidden`` (wrong role or
wrong time), ``not_found``, ``conflict`` (the agreements changed while read), with a
message a member can read, and changes nothing.
"""

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from circles.models import Circle, Membership
from hearth.refusal import Refused
from meetings.locking import lock_meeting
from meetings.models import Meeting, Share
from meetings.wellbeing import insights, permissions
from meetings.wellbeing.models import (
    STRATEGY_MAX_CHARS,
    CheckIn,
    MeetingAgreement,
    SavedStrategy,
    Strategy,
    StrategyHelped,
)
from meetings.wellbeing.queries import attended_meetings
from members.models import display_name_of
from moderation import actions as moderation_actions
from moderation.models import SafetyEvent
from moderation.safety import normalize, refuse_blocked_words

logger = logging.getLogger(__name__)

MAX_PENDING_PER_MEMBER = 5
QUOTE_MIN_CHARS = 24


# --- Check-in and check-out -----------------------------------------------------------


def record_check_in(
    user, meeting_id: int, moment: str, score, *, wants_check_in: bool = False, now=None
) -> CheckIn:
    """Record (or change) how ``user`` is arriving at or leaving ``meeting_id``.

    ``score`` is 1..5 or ``None``/``""`` for "rather not say"; anything else is refused.
    When the leaving score is at least two points under the arriving one, a safety event
    (``checkout_drop``, no text) goes to the circle's hosts, once per member and meeting.
    """
    try:
        score = insights.parse_score(score)
    except insights.OffScale:
        raise Refused(
            "bad_request", "Choose one of the five answers, or “rather not say”."
        ) from None
    if moment not in CheckIn.Moment.values:
        raise Refused("bad_request", "Choose whether you are arriving or leaving.")
    now = now or timezone.now()
    with transaction.atomic():
        meeting = lock_meeting(meeting_id)
        permissions.check_check_in(user, meeting, moment, now)
        check_in, created = CheckIn.objects.get_or_create(
            meeting=meeting,
            user=user,
            moment=moment,
            defaults={
                "score": score,
                "wants_check_in": bool(wants_check_in),
                "created_at": now,
                "updated_at": now,
            },
        )
        if not created and (check_in.score, check_in.wants_check_in) != (score, wants_check_in):
            check_in.score = score
            check_in.wants_check_in = bool(wants_check_in)
            check_in.updated_at = now
            check_in.save(update_fields=["score", "wants_check_in", "updated_at"])
        _maybe_record_drop(user, meeting)
    logger.info("meetings.check_in.recorded meeting_id=%s moment=%s", meeting.pk, moment)
    return check_in


def _maybe_record_drop(user, meeting: Meeting) -> None:
    """Expects the meeting's row lock held."""
    scores = dict(CheckIn.objects.filter(meeting=meeting, user=user).values_list("moment", "score"))
    if not insights.is_much_lower(scores.get("arriving"), scores.get("leaving")):
        return
    already = SafetyEvent.objects.filter(
        kind=SafetyEvent.Kind.CHECKOUT_DROP, user=user, meeting_id=meeting.pk
    ).exists()
    if not already:
        moderation_actions.record_safety_event(
            kind=SafetyEvent.Kind.CHECKOUT_DROP,
            user=user,
            circle=meeting.circle,
            meeting_id=meeting.pk,
        )


# --- Per-meeting agreement ----------------------------------------------------------------


def confirm_meeting_agreement(user, meeting_id: int, version, now=None) -> MeetingAgreement:
    """``user`` confirms the circle's agreements (``version``, the one they read) for this
    meeting. Safe to repeat. A stale version (the agreements changed while they read) is
    refused, so nobody confirms text they did not see."""
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise Refused("bad_request", "Please confirm the agreements shown.") from None
    now = now or timezone.now()
    with transaction.atomic():
        meeting = lock_meeting(meeting_id)
        reason = permissions.why_not_confirm_agreement(user, meeting, now)
        if reason is not None:
            raise Refused("forbidden", reason)
        if version != meeting.circle.agreements_version:
            raise Refused(
                "conflict", "The agreements changed while you were reading. Please read them again."
            )
        agreement, created = MeetingAgreement.objects.get_or_create(
            meeting=meeting, user=user, defaults={"version": version, "confirmed_at": now}
        )
        if not created and agreement.version != version:
            agreement.version = version
            agreement.confirmed_at = now
            agreement.save(update_fields=["version", "confirmed_at"])
    return agreement


# --- The coping toolbox -----------------------------------------------------------------


def clean_strategy_text(text) -> str:
    """Trimmed text, or ``Refused`` when empty, too long or with a blocked word."""
    text = " ".join(str(text or "").split())
    if not text:
        raise Refused("bad_request", "Write the strategy in a few words first.")
    if len(text) > STRATEGY_MAX_CHARS:
        raise Refused(
            "too_long",
            f"Please keep it under {STRATEGY_MAX_CHARS} characters (it has {len(text)}).",
        )
    refuse_blocked_words(text)
    return text


def _looks_like_a_quote(user, meetings: list[Meeting], text: str) -> bool:
    """Whether ``text`` repeats what someone else shared in one of ``meetings`` (while
    their shares are still kept)."""
    needle = normalize(text)
    if len(needle) < QUOTE_MIN_CHARS:
        return False
    shares = (
        Share.objects.filter(meeting__in=meetings, hidden_at__isnull=True)
        .exclude(author=user)
        .values_list("text", flat=True)
    )
    return any(needle in normalize(share) for share in shares.iterator())


def add_strategy(user, circle: Circle, text, tag: str = "", meeting_id=None, now=None) -> Strategy:
    """A member who attended a meeting of ``circle`` adds a strategy, waiting for review.

    ``meeting_id`` names the meeting it came from (one they attended); by default the
    latest. Safe to repeat: the same text again returns the strategy already there.
    """
    text = clean_strategy_text(text)
    tag = tag or ""
    if tag and tag not in Strategy.Tag.values:
        raise Refused("bad_request", "Choose a tag from the list, or none.")
    now = now or timezone.now()
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(circle=circle, user=user).first()
        if membership is None or not membership.is_active:
            raise Refused("forbidden", "Only active members of the circle can add to its toolbox.")
        attended = attended_meetings(user, circle, now=now)
        if not attended:
            raise Refused(
                "forbidden",
                "You can add a strategy after you have attended one of this circle's meetings.",
            )
        meeting = attended[0]
        if meeting_id not in (None, ""):
            meeting = next((m for m in attended if str(m.pk) == str(meeting_id)), None)
            if meeting is None:
                raise Refused("bad_request", "Choose a meeting of this circle that you attended.")
        mine = Strategy.objects.filter(circle=circle, author=user)
        existing = mine.filter(text=text).exclude(state=Strategy.State.REJECTED).first()
        if existing is not None:
            return existing
        if mine.filter(state=Strategy.State.PENDING).count() >= MAX_PENDING_PER_MEMBER:
            raise Refused(
                "bad_request",
                f"You have {MAX_PENDING_PER_MEMBER} strategies waiting for review already. "
                "Please add more once a host has looked at them.",
            )
        if _looks_like_a_quote(user, attended, text):
            raise Refused(
                "bad_request",
                "This looks like words someone else shared in a meeting. The toolbox is for "
                "what helps you, in your own words.",
            )
        strategy = Strategy.objects.create(
            circle=circle, author=user, text=text, tag=tag, meeting=meeting, created_at=now
        )
    logger.info("meetings.strategy.added strategy_id=%s circle_id=%s", strategy.pk, circle.pk)
    return strategy


def _lock_strategy(strategy_id) -> Strategy:
    strategy = (
        Strategy.objects.select_for_update(of=("self",))
        .select_related("circle")
        .filter(pk=strategy_id)
        .first()
    )
    if strategy is None:
        raise Refused("not_found", "We couldn't find that strategy.")
    return strategy


def review_strategy(actor, strategy_id: int, decision: str, *, reason: str = "", now=None):
    """A host or facilitator approves (``"approve"``) or declines (``"reject"``) a pending
    strategy. The first reviewer wins; the second is told who did it. Logged to the
    moderation log as ``meetings.strategy.approved`` / ``.rejected`` (without the text)."""
    if decision not in ("approve", "reject"):
        raise Refused("bad_request", "Choose approve or decline.")
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise Refused("too_long", "Please keep the reason under 500 characters.")
    now = now or timezone.now()
    with transaction.atomic():
        strategy = _lock_strategy(strategy_id)
        permissions.check_review_strategies(actor, strategy.circle)
        if not strategy.is_pending:
            who = display_name_of(strategy.reviewed_by) if strategy.reviewed_by_id else "someone"
            verb = "approved" if strategy.state == Strategy.State.APPROVED else "declined"
            raise Refused("conflict", f"This strategy was already {verb} by {who}.")
        approved = decision == "approve"
        strategy.state = Strategy.State.APPROVED if approved else Strategy.State.REJECTED
        strategy.reviewed_by = actor
        strategy.reviewed_at = now
        strategy.save(update_fields=["state", "reviewed_by", "reviewed_at"])
        moderation_actions.record_action(
            actor=actor,
            action=f"meetings.strategy.{'approved' if approved else 'rejected'}",
            target_user=strategy.author,
            circle=strategy.circle,
            meeting_id=strategy.meeting_id,
            reason=reason,
            extra={"strategy_id": strategy.pk},
        )
    return strategy


def _visible_strategy_for_member(user, strategy_id) -> Strategy:
    """Expects to run inside a transaction: locks the strategy row."""
    strategy = _lock_strategy(strategy_id)
    if not permissions.can_use_toolbox(user, strategy.circle):
        raise Refused("forbidden", "Only active members of the circle can do that.")
    if not strategy.is_visible:
        raise Refused("not_found", "That strategy is not in the toolbox.")
    return strategy


def mark_helped(user, strategy_id: int) -> Strategy:
    """Count ``user`` once among those a strategy helped. Twice is refused, nothing changes."""
    with transaction.atomic():
        strategy = _visible_strategy_for_member(user, strategy_id)
        if StrategyHelped.objects.filter(strategy=strategy, user=user).exists():
            raise Refused("bad_request", "You have already marked this one as helping you.")
        StrategyHelped.objects.create(strategy=strategy, user=user)
        Strategy.objects.filter(pk=strategy.pk).update(helped_count=F("helped_count") + 1)
    strategy.refresh_from_db(fields=["helped_count"])
    return strategy


def save_strategy(user, strategy_id: int) -> SavedStrategy:
    """Put a strategy in ``user``'s personal toolbox. Safe to repeat."""
    with transaction.atomic():
        strategy = _visible_strategy_for_member(user, strategy_id)
        saved, _ = SavedStrategy.objects.get_or_create(user=user, strategy=strategy)
    return saved


def unsave_strategy(user, strategy_id: int) -> bool:
    """Take a strategy out of the personal toolbox. Safe to repeat: ``False`` if it wasn't."""
    deleted, _ = SavedStrategy.objects.filter(user=user, strategy_id=strategy_id).delete()
    return bool(deleted)


def report_strategy(user, strategy_id: int, reason: str, note: str = ""):
    """File a moderation report about a strategy in the toolbox (with a snapshot)."""
    with transaction.atomic():
        strategy = _visible_strategy_for_member(user, strategy_id)
    snapshot = {
        "text": strategy.text,
        "author_display_name": display_name_of(strategy.author),
        "author_user_id": strategy.author_id,
        "meeting_id": strategy.meeting_id,
        "circle_name": strategy.circle.name,
        "created_at": strategy.created_at,
    }
    try:
        return moderation_actions.file_report(
            user,
            target=strategy,
            reason=reason,
            note=note,
            snapshot=snapshot,
            circle=strategy.circle,
        )
    except IntegrityError:  # pragma: no cover - file_report handles its own races
        raise Refused("conflict", "Please try again.") from None


# --- Moderation's content handler ------------------------------------------------------------


def hide_strategy(strategy_id: int, actor) -> None:
    """Hide a reported strategy from the toolbox and personal toolboxes. Safe to repeat.
    Moderation writes the audit entry (``moderation.content.hidden``)."""
    with transaction.atomic():
        strategy = Strategy.objects.select_for_update().filter(pk=strategy_id).first()
        if strategy is None:
            raise ObjectDoesNotExist("That strategy no longer exists.")
        if strategy.hidden_at is not None:
            return
        strategy.hidden_at = timezone.now()
        strategy.hidden_by = actor if getattr(actor, "is_authenticated", False) else None
        strategy.save(update_fields=["hidden_at", "hidden_by"])


def describe_strategy(strategy_id: int) -> dict | None:
    strategy = Strategy.objects.filter(pk=strategy_id).first()
    if strategy is None:
        return {"exists": False, "hidden": False}
    return {"exists": True, "hidden": strategy.hidden_at is not None, "state": strategy.state}
