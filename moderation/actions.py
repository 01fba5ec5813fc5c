"""Every change moderation makes goes through these functions.

They run in one transaction, lock the row that owns the resource with
``select_for_update`` (the report and the rest of its group for queue actions, the user for
suspensions), check, change, and write exactly one audit entry with ``record_action``.
Broadcasts go out on commit. A refusal raises ``hearth.refusal.Refused``: ``bad_request``
(bad input), ``conflict`` (a report someone already handled), ``forbidden`` (wrong role),
``not_found`` (gone), with a
message a member can read, and changes nothing.

The room (meetings) calls ``file_report``, ``record_action`` and ``record_safety_event``.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone

from circles import actions as circle_actions
from circles.models import Circle, Membership
from circles.signals import membership_changed
from hearth.groups import user_group
from hearth.on_commit import send_on_commit, signal_on_commit
from hearth.refusal import Refused
from members.models import display_name_of
from moderation import permissions
from moderation.models import (
    ModerationAction,
    Notice,
    Report,
    SafetyEvent,
    Suspension,
)
from moderation.registry import handler_for

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 1000
MESSAGE_MAX_LENGTH = 500
MAX_MUTE_HOURS = 24 * 90
MAX_SUSPENSION_HOURS = 24 * 365
SYSTEM_NAME = "Hearth"
ACTION_NAME = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
SNAPSHOT_KEYS = (
    "text",
    "content_warning",
    "author_display_name",
    "author_user_id",
    "meeting_id",
    "meeting_title",
    "circle_name",
    "created_at",
)
FORBIDDEN_EXTRA_KEYS = {"text", "share_text", "content", "body", "message_text"}
QUEUE_ACTION_NAMES = {
    "dismiss": "moderation.report.dismissed",
    "hide": "moderation.content.hidden",
    "warn": "moderation.member.warned",
    "mute": "moderation.member.muted",
    "remove": "moderation.member.removed",
    "ban": "moderation.member.banned",
    "suspend": "moderation.account.suspended",
}


def _already_handled(report: Report) -> Refused:
    """Someone else closed the report first (or it was closed already)."""
    who = report.handled_by_name or "another moderator"
    return Refused("conflict", f"This report was already handled by {who}.")


# --- The audit log ----------------------------------------------------------------------


def record_action(
    *,
    actor,
    action: str,
    target_user=None,
    circle: Circle | None = None,
    meeting_id: int | None = None,
    report: Report | None = None,
    reason: str = "",
    extra: dict | None = None,
) -> ModerationAction:
    """Append one entry to the audit log: the only way entries are written.

    ``action`` is a dotted name (``moderation.member.muted``, ``room.participant.removed``).
    ``actor=None`` means Hearth itself (a timer, a task). ``extra`` must be JSON and must
    never carry the text of a share: keys such as ``text`` are refused.
    """
    if not ACTION_NAME.match(action or ""):
        raise ValueError(f"record_action: {action!r} is not a dotted action name.")
    extra = dict(extra or {})
    leaked = FORBIDDEN_EXTRA_KEYS & set(extra)
    if leaked:
        raise ValueError(f"record_action: extra may not carry {sorted(leaked)} (share text).")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    entry = ModerationAction.objects.create(
        actor=actor,
        actor_name=actor.display_name if actor else SYSTEM_NAME,
        action=action,
        target_user=target_user,
        target_name=display_name_of(target_user) if target_user else "",
        circle=circle,
        circle_name=circle.name if circle else "",
        meeting_id=meeting_id,
        report=report,
        reason=(reason or "")[:1000],
        extra=extra,
    )
    logger.info(
        "moderation.audit",
        extra={
            "action": action,
            "entry_id": entry.pk,
            "actor_id": getattr(actor, "pk", None),
            "target_id": getattr(target_user, "pk", None),
            "circle_id": getattr(circle, "pk", None),
            "meeting_id": meeting_id,
            "report_id": getattr(report, "pk", None),
        },
    )
    return entry


def on_circles_audit(
    sender, action, actor, circle, membership=None, reason="", extra=None, **kwargs
) -> None:
    """Write a change circles made (a host's ban on the manage page, new settings, an
    invite link...) to the log. Circles sends this inside the change's transaction, so the
    entry commits or rolls back with the change."""
    record_action(
        actor=actor,
        action=action,
        target_user=membership.user if membership is not None else None,
        circle=circle,
        reason=reason or "",
        extra=extra,
    )


# --- Reports ----------------------------------------------------------------------------


def group_key_for(content_type: ContentType, object_id: int) -> str:
    return f"{content_type.app_label}.{content_type.model}:{object_id}"


def _default_snapshot(target) -> dict:
    now = timezone.now().isoformat()
    if isinstance(target, Circle):
        return {"text": target.description, "circle_name": target.name, "created_at": now}
    if isinstance(target, get_user_model()):
        return {
            "text": "",
            "author_display_name": target.display_name,
            "author_user_id": target.pk,
            "created_at": now,
        }
    return {"created_at": now}


def _clean_snapshot(snapshot: dict) -> dict:
    clean = {}
    for key in SNAPSHOT_KEYS:
        value = snapshot.get(key)
        if isinstance(value, datetime):
            value = value.isoformat()
        if value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        clean[key] = value
    clean["text"] = clean["text"] or ""
    return clean


def _circle_of(target) -> Circle | None:
    """The circle reported content belongs to, without knowing its model."""
    if isinstance(target, Circle):
        return target
    for candidate in (
        getattr(target, "circle", None),
        getattr(getattr(target, "meeting", None), "circle", None),
    ):
        if isinstance(candidate, Circle):
            return candidate
    return None


def file_report(
    reporter,
    *,
    target,
    reason: str,
    note: str = "",
    snapshot: dict | None = None,
    circle: Circle | None = None,
) -> Report:
    """File a report about ``target`` (a share, a member, a circle: any saved model).

    ``snapshot`` keeps what was reported as it was: ``text``, ``content_warning``,
    ``author_display_name``, ``author_user_id``, ``meeting_id``, ``meeting_title``,
    ``created_at`` (other keys are dropped). Members and circles get one by default.
    ``circle`` defaults to ``target.circle`` or ``target.meeting.circle``.

    Safe to repeat: while the reporter's earlier report of the same target is open, that
    report is returned unchanged. A report with the reason "someone may be at risk" also
    records a safety event. Whether the reporter may see the target is the caller's check
    (``moderation.permissions`` for members and circles, the room for shares).
    """
    if not getattr(reporter, "is_authenticated", False):
        raise Refused("forbidden", "Log in to report something.")
    if reason not in Report.Reason.values:
        raise Refused("bad_request", "Choose a reason from the list.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise Refused("too_long", f"Please keep the note under {NOTE_MAX_LENGTH} characters.")
    if target is None or target.pk is None:
        raise Refused("not_found", "We couldn't find what you wanted to report.")
    content_type = ContentType.objects.get_for_model(target)
    snapshot = _clean_snapshot(snapshot if snapshot is not None else _default_snapshot(target))
    User = get_user_model()
    if isinstance(target, User):
        reported_user = target
    elif snapshot.get("author_user_id"):
        reported_user = User.objects.filter(pk=snapshot["author_user_id"]).first()
    else:
        reported_user = None
    if reported_user is not None and reported_user.pk == reporter.pk:
        raise Refused("bad_request", "You can't report yourself.")
    circle = circle or _circle_of(target)
    lookup = {"reporter": reporter, "content_type": content_type, "object_id": target.pk}
    with transaction.atomic():
        existing = Report.objects.filter(state=Report.State.OPEN, **lookup).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    **lookup,
                    group_key=group_key_for(content_type, target.pk),
                    circle=circle,
                    reported_user=reported_user,
                    meeting_id=snapshot.get("meeting_id"),
                    reason=reason,
                    note=note,
                    snapshot=snapshot,
                )
        except IntegrityError:
            # The same reporter, twice at once: the other request filed it.
            return Report.objects.get(state=Report.State.OPEN, **lookup)
        if reason == Report.Reason.AT_RISK:
            record_safety_event(
                kind=SafetyEvent.Kind.AT_RISK_REPORT,
                user=reported_user,
                circle=circle,
                meeting_id=report.meeting_id,
                note=note,
                report=report,
            )
    logger.info(
        "moderation.report.filed report_id=%s reason=%s circle_id=%s",
        report.pk,
        reason,
        getattr(circle, "pk", None),
    )
    return report


def _lock_group(report: Report) -> tuple[Report, list[Report]]:
    """Lock the report and every report of the same thing in the same circle, in id order
    (so two moderators never deadlock), and return (the report, the open ones)."""
    rows = list(
        Report.objects.select_for_update()
        .filter(group_key=report.group_key, circle_id=report.circle_id)
        .order_by("pk")
    )
    locked = next((row for row in rows if row.pk == report.pk), None)
    if locked is None:
        raise Refused("not_found", "That report no longer exists.")
    return locked, [row for row in rows if row.is_open]


def _hours(hours, *, maximum: int, what: str) -> timedelta:
    try:
        value = int(hours)
    except (TypeError, ValueError):
        raise Refused(
            "bad_request", f"Give the {what} in whole hours, from 1 to {maximum:,}."
        ) from None
    if not 1 <= value <= maximum:
        raise Refused("bad_request", f"A {what} can last from 1 to {maximum:,} hours.")
    return timedelta(hours=value)


@dataclass(frozen=True)
class Outcome:
    report: Report
    action: str
    entry: ModerationAction
    closed: int


def handle_report(
    report: Report,
    actor,
    action: str,
    *,
    message: str = "",
    hours=None,
    permanent: bool = False,
) -> Outcome:
    """Take one queue action on a report; it closes the report and the others in its group.

    ``action`` is one of ``moderation.permissions.ACTIONS``: dismiss, hide (calls the
    content handler), warn (``message`` is sent to the member), mute (for ``hours``),
    remove, ban, suspend (staff; for ``hours`` or ``permanent``). ``message`` is the
    reason recorded (required to warn, remove, ban and suspend).
    """
    if action not in permissions.ACTIONS:
        raise Refused("bad_request", "Choose one of the actions offered.")
    permissions.check_act_on_report(actor, report, action)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise Refused("too_long", f"Please keep the message under {MESSAGE_MAX_LENGTH} characters.")
    if action in ("warn", "remove", "ban", "suspend") and not message:
        what = "message to the member" if action == "warn" else "reason"
        raise Refused("bad_request", f"Please write a {what}. It is recorded.")
    duration = None
    if action == "mute":
        duration = _hours(hours, maximum=MAX_MUTE_HOURS, what="mute")
    elif action == "suspend" and not permanent:
        duration = _hours(hours, maximum=MAX_SUSPENSION_HOURS, what="suspension")

    with transaction.atomic():
        report, group = _lock_group(report)
        if not report.is_open:
            raise _already_handled(report)
        permissions.check_act_on_report(actor, report, action)
        name = QUEUE_ACTION_NAMES[action]
        now = timezone.now()
        context = {
            "target_user": report.reported_user,
            "circle": report.circle,
            "meeting_id": report.meeting_id,
            "report": report,
        }
        extra = {"reports_closed": len(group)}
        if action == "hide":
            _hide(report, actor)
        elif action == "warn":
            _notify(report.reported_user, Notice.Kind.WARNING, message, report.circle)
        elif action in permissions.MEMBERSHIP_ACTIONS:
            extra.update(_restrict(report, actor, action, message, now, duration))
        elif action == "suspend":
            suspension = _suspend(report.reported_user, actor, message, now, duration)
            extra["until"] = suspension.ends_at.isoformat() if suspension.ends_at else None
        entry = record_action(actor=actor, action=name, reason=message, extra=extra, **context)
        state = Report.State.DISMISSED if action == "dismiss" else Report.State.ACTIONED
        for row in group:
            row.state = state
            row.handled_by = actor
            row.handled_by_name = actor.display_name
            row.handled_at = now
            row.outcome = name
            row.save(
                update_fields=["state", "handled_by", "handled_by_name", "handled_at", "outcome"]
            )
    report.refresh_from_db()
    return Outcome(report=report, action=name, entry=entry, closed=len(group))


def _hide(report: Report, actor) -> None:
    handler = handler_for(report.target_label)
    if handler is None:
        raise Refused("bad_request", "This kind of report has no content to hide.")
    try:
        with transaction.atomic():
            handler.hide(report.object_id, actor)
    except ObjectDoesNotExist:
        raise Refused(
            "not_found", "That content no longer exists. Dismiss the report, or act on the member."
        ) from None
    except Refused:
        raise
    except Exception:
        # A handler's own refusal or failure must not become a server error for the
        # moderator; the savepoint above undid whatever it wrote.
        logger.exception("moderation.content.hidden failed report_id=%s", report.pk)
        raise Refused(
            "unavailable",
            "Hiding the content didn't work, and nothing was changed. Please try again, "
            "or dismiss the report.",
        ) from None


def _restrict(report, actor, action, reason, now, duration) -> dict:
    """Mute, remove or ban the reported member through circles' own actions."""
    membership = permissions.reported_membership(report, fresh=True)
    if membership is None:
        raise Refused("bad_request", "There is no member of this circle to act on.")
    # Circles' own entry is left out (audited=False): the queue writes one, with the report.
    if action == "mute":
        until = now + duration
        circle_actions.mute_member(membership, actor, until, reason, audited=False)
        _notify(
            report.reported_user,
            Notice.Kind.MUTED,
            f"You are muted in {report.circle.name} until "
            f"{timezone.localtime(until, report.reported_user.zone):%A %-d %B, %H:%M} "
            "(your time). Until then you can't share, react or raise your hand in its "
            "meetings, or join a new one." + (f" The host's reason: {reason}" if reason else ""),
            report.circle,
        )
        return {"until": until.isoformat()}
    if action == "remove":
        circle_actions.remove_member(membership, actor, reason, audited=False)
    else:
        circle_actions.ban_member(membership, actor, reason, audited=False)
    return {}


def _notify(user, kind: str, message: str, circle: Circle | None = None) -> Notice:
    return Notice.objects.create(user=user, kind=kind, message=message, circle=circle)


# --- Warnings and notices ----------------------------------------------------------------


def warn_member(user, actor, *, message: str, circle: Circle, meeting_id=None) -> Notice:
    """Warn a member outside the queue (the room uses this for a live warning)."""
    message = (message or "").strip()
    if not message or len(message) > MESSAGE_MAX_LENGTH:
        raise Refused("bad_request", f"Write a message of 1 to {MESSAGE_MAX_LENGTH} characters.")
    if not (permissions.is_staff(actor) or permissions.can_moderate(actor, circle)):
        raise Refused("forbidden", "Only the circle's hosts and site staff can warn a member.")
    with transaction.atomic():
        notice = _notify(user, Notice.Kind.WARNING, message, circle)
        record_action(
            actor=actor,
            action="moderation.member.warned",
            target_user=user,
            circle=circle,
            meeting_id=meeting_id,
            reason=message,
        )
    return notice


def mark_notice_read(notice_id: int, user) -> bool:
    """Mark one of ``user``'s notices read; another member's notice is not found."""
    updated = Notice.objects.filter(pk=notice_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if not updated and not Notice.objects.filter(pk=notice_id, user=user).exists():
        raise Refused("not_found", "That notice isn't yours or no longer exists.")
    return bool(updated)


# --- Suspensions ---------------------------------------------------------------------------


def _delete_sessions(user_id: int) -> int:
    """Log the member out everywhere. With database-backed sessions every session of theirs
    is deleted; with any engine, an inactive account is refused on its next request."""
    engine = settings.SESSION_ENGINE
    if engine not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    from django.contrib.sessions.models import Session

    store = import_module(engine).SessionStore
    deleted = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            store(session_key=session.session_key).delete()
            deleted += 1
    return deleted


def _suspend(user, actor, reason: str, now, duration: timedelta | None) -> Suspension:
    """Expects to run inside a transaction; locks the user's row."""
    if not permissions.can_suspend_user(actor, user):
        raise Refused("forbidden", "Only site staff can suspend an account, and not their own.")
    User = get_user_model()
    locked = User.objects.select_for_update().get(pk=user.pk)
    Suspension.objects.filter(user=locked, ended_at__isnull=True).update(ended_at=now)
    suspension = Suspension.objects.create(
        user=locked,
        created_by=actor,
        reason=reason,
        starts_at=now,
        ends_at=now + duration if duration else None,
    )
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    _delete_sessions(locked.pk)
    user_id = locked.pk
    # The room joins every socket to the account's group: they close.
    send_on_commit(user_group(user_id), {"type": "account.suspended"})
    return suspension


def suspend_account(
    user, actor, *, reason: str, hours=None, permanent: bool = False, report=None
) -> Suspension:
    """Suspend ``user`` site-wide for ``hours`` or for good (staff only), outside the queue."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MESSAGE_MAX_LENGTH:
        raise Refused("bad_request", f"Give a reason of 1 to {MESSAGE_MAX_LENGTH} characters.")
    duration = None if permanent else _hours(hours, maximum=MAX_SUSPENSION_HOURS, what="suspension")
    if not permissions.can_suspend_user(actor, user):
        raise Refused("forbidden", "Only site staff can suspend an account, and not their own.")
    with transaction.atomic():
        now = timezone.now()
        suspension = _suspend(user, actor, reason, now, duration)
        record_action(
            actor=actor,
            action="moderation.account.suspended",
            target_user=user,
            report=report,
            reason=reason,
            extra={"until": suspension.ends_at.isoformat() if suspension.ends_at else None},
        )
    return suspension


def end_suspension(suspension: Suspension | int, actor=None, *, now=None) -> bool:
    """End a suspension (``actor=None``: its time ran out); the member can log in again
    and is told. Returns False if it had already ended (safe to repeat)."""
    pk = suspension.pk if isinstance(suspension, Suspension) else suspension
    if actor is not None and not permissions.can_suspend(actor):
        raise Refused("forbidden", "Only site staff can end a suspension.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Suspension.objects.select_for_update().filter(pk=pk).first()
        if locked is None or locked.ended_at is not None:
            return False
        if actor is None and (locked.ends_at is None or locked.ends_at > now):
            return False
        locked.ended_at = now
        locked.save(update_fields=["ended_at"])
        user = get_user_model().objects.select_for_update().get(pk=locked.user_id)
        user.is_active = True
        user.save(update_fields=["is_active"])
        _notify(
            user,
            Notice.Kind.SUSPENSION_ENDED,
            "Your account's suspension has ended. Welcome back: please take care of "
            "yourself and of the people in your circles.",
        )
        record_action(
            actor=actor,
            action="moderation.account.unsuspended",
            target_user=user,
            reason="" if actor else "The suspension's time ran out.",
        )
    return True


# --- Mutes ending -------------------------------------------------------------------------


def end_mute(membership: Membership | int, *, now=None) -> bool:
    """Clear a mute whose time has run out and tell the member. Safe to repeat.

    A mute already stops counting at ``muted_until`` (``Membership.is_muted``); this tidies
    the row up, writes the log and sends the notice. Circles' ``unmute_member`` needs a
    host, so Hearth itself clears the field here, under the membership's row lock.
    """
    pk = membership.pk if isinstance(membership, Membership) else membership
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Membership.objects.select_for_update()
            .select_related("user", "circle")
            .filter(pk=pk)
            .first()
        )
        if locked is None or locked.muted_until is None or locked.muted_until > now:
            return False
        Membership.objects.filter(pk=pk).update(muted_until=None, updated_at=now)
        locked.muted_until = None
        # Circles' after-commit signal tells the rooms (meetings' hook unmutes the member
        # in open rooms at once); it writes no entry: the one below is the log's.
        signal_on_commit(
            membership_changed,
            Membership,
            membership=locked,
            actor=None,
            action="circles.member.unmuted",
            reason="The mute's time ran out.",
        )
        _notify(
            locked.user,
            Notice.Kind.MUTE_ENDED,
            f"Your mute in {locked.circle.name} has ended: you can share, react and raise "
            "your hand again.",
            locked.circle,
        )
        record_action(
            actor=None,
            action="moderation.member.unmuted",
            target_user=locked.user,
            circle=locked.circle,
            reason="The mute's time ran out.",
        )
    return True


def end_expired_restrictions(now=None) -> dict:
    """End every time-bound mute and suspension whose time has come (the beat task)."""
    now = now or timezone.now()
    suspensions = Suspension.objects.filter(ended_at__isnull=True, ends_at__lte=now)
    mutes = Membership.objects.filter(muted_until__isnull=False, muted_until__lte=now)
    ended_suspensions = sum(
        end_suspension(pk, now=now) for pk in list(suspensions.values_list("pk", flat=True))
    )
    ended_mutes = sum(end_mute(pk, now=now) for pk in list(mutes.values_list("pk", flat=True)))
    return {"suspensions": ended_suspensions, "mutes": ended_mutes}


# --- Safety events --------------------------------------------------------------------------


def record_safety_event(
    *,
    kind: str,
    user=None,
    circle: Circle | None = None,
    meeting_id: int | None = None,
    note: str = "",
    report: Report | None = None,
) -> SafetyEvent:
    """Record that someone may need support. Never pass the text of a share: ``note`` is
    only what the member wrote themselves (with "I need support") or a reporter's note."""
    if kind not in SafetyEvent.Kind.values:
        raise ValueError(f"record_safety_event: unknown kind {kind!r}.")
    user = user if getattr(user, "is_authenticated", False) else None
    event = SafetyEvent.objects.create(
        kind=kind,
        user=user,
        user_name=display_name_of(user) if user else "",
        circle=circle,
        meeting_id=meeting_id,
        note=(note or "").strip()[:NOTE_MAX_LENGTH],
        report=report,
    )
    logger.info(
        "moderation.safety.%s event_id=%s circle_id=%s meeting_id=%s",
        kind,
        event.pk,
        getattr(circle, "pk", None),
        meeting_id,
    )
    return event


def set_follow_up(
    event: SafetyEvent, actor, state: str, *, note: str = "", permitted: bool = False
) -> SafetyEvent:
    """Move a safety event's follow-up (open, reached out, closed). Safe to repeat.

    ``permitted``: the caller has already checked that ``actor`` cares for this event (a
    meeting's facilitator opening a follow-up thread about it is not a circle moderator)."""
    if state not in SafetyEvent.FollowUp.values:
        raise Refused("bad_request", "Choose open, reached out or closed.")
    note = (note or "").strip()
    if len(note) > MESSAGE_MAX_LENGTH:
        raise Refused("too_long", f"Please keep the note under {MESSAGE_MAX_LENGTH} characters.")
    with transaction.atomic():
        locked = SafetyEvent.objects.select_for_update().filter(pk=event.pk).first()
        if locked is None:
            raise Refused("not_found", "That safety event no longer exists.")
        if not permitted:
            permissions.check_follow_up(actor, locked)
        if locked.follow_up == state:
            return locked
        previous = locked.follow_up
        locked.follow_up = state
        locked.follow_up_by = actor
        locked.follow_up_at = timezone.now()
        locked.save(update_fields=["follow_up", "follow_up_by", "follow_up_at"])
        record_action(
            actor=actor,
            action="moderation.safety.followed_up",
            target_user=locked.user,
            circle=locked.circle,
            meeting_id=locked.meeting_id,
            report=locked.report,
            reason=note,
            extra={"event_id": locked.pk, "from": previous, "to": state, "kind": locked.kind},
        )
    return locked
