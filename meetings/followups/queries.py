"""What the insights page, the moderation queue and ``/me/`` show about follow-ups:
which reasons were followed up, by whom, and which still wait."""

from django.db.models import Q
from django.urls import reverse

from circles.models import Membership
from meetings.followups import permissions
from meetings.followups.models import FollowUp
from meetings.followups.reasons import Reason, find_reason
from meetings.wellbeing import insights
from meetings.wellbeing.models import CheckIn
from moderation.models import SafetyEvent


def open_url(reason: Reason) -> str:
    return reverse("followups:open", args=[reason.source, reason.source_id])


def reason_status(user, reason: Reason) -> dict:
    """``{"label", "thread", "followed_up_by", "url", "refusal"}`` for one reason.

    ``thread`` is the follow-up opened from this reason, or else the member's open one in
    the circle (which covers it). ``url`` is where "Send a follow-up" leads, when ``user``
    may open one now; ``refusal`` says why not, otherwise."""
    thread = permissions.thread_for_reason(reason) or permissions.open_thread_for(
        reason.member, reason.circle
    )
    refusal = None if thread is not None else permissions.why_not_open(user, reason)
    return {
        "reason": reason,
        "label": FollowUp.Reason(reason.kind).label,
        "thread": thread,
        "can_read": thread is not None and permissions.can_read(user, thread),
        "url": open_url(reason) if thread is None and refusal is None else "",
        "refusal": refusal,
    }


def _check_in_reasons(meeting) -> list[Reason]:
    rows = list(CheckIn.objects.filter(meeting=meeting).order_by("pk"))
    answers = [insights.Answer(c.user_id, c.moment, c.score, c.wants_check_in) for c in rows]
    found = []
    for follow_up in insights.follow_ups(answers):
        mine = [c for c in rows if c.user_id == follow_up.person]
        if follow_up.asked:
            asked = [c for c in mine if c.wants_check_in][-1]
            found.append(find_reason("asked", asked.pk))
        if follow_up.much_lower:
            leaving = [c for c in mine if c.moment == CheckIn.Moment.LEAVING][-1]
            found.append(find_reason("lower", leaving.pk))
    return [reason for reason in found if reason is not None]


def for_insights(user, meeting) -> list[dict]:
    """Every reason about this meeting, grouped by person in the order they appeared:
    support requests and other safety events, "check in with me", much lower."""
    events = SafetyEvent.objects.filter(
        meeting_id=meeting.pk, circle_id=meeting.circle_id, user__isnull=False
    ).order_by("pk")
    reasons = [find_reason("event", event.pk) for event in events]
    reasons = [r for r in reasons if r is not None] + _check_in_reasons(meeting)
    people: dict[int, dict] = {}
    for reason in reasons:
        person = people.setdefault(
            reason.member.pk, {"name": reason.member.display_name, "reasons": []}
        )
        person["reasons"].append(reason_status(user, reason))
    return list(people.values())


def for_safety_events(user, events) -> dict[int, dict]:
    """The moderation queue's "Send a follow-up", for each event about a member."""
    result = {}
    for event in events:
        reason = find_reason("event", event.pk)
        if reason is None or not permissions.may_reach_out(user, reason):
            continue
        status = reason_status(user, reason)
        thread = status["thread"]
        result[event.pk] = {
            "url": status["url"],
            "link_text": "Send a follow-up" if status["url"] else "",
            "thread_url": thread.get_absolute_url() if status["can_read"] else "",
            "status": _status_words(status),
        }
    return result


def _status_words(status: dict) -> str:
    thread = status["thread"]
    if thread is None:
        return status["refusal"] or "Not followed up yet."
    state = "open" if thread.is_open else "closed"
    return f"Followed up by {thread.opened_by_name} ({state})."


def threads_for(user, limit: int = 20) -> list[FollowUp]:
    """The follow-ups ``user`` may read on ``/me/``, in one query: their own, and those of
    circles they host or facilitate, or of meetings they led while active in the circle
    (exactly ``permissions.can_read`` without the staff case)."""
    if not getattr(user, "is_authenticated", False):
        return []
    active = Q(circle__memberships__user=user, circle__memberships__state=Membership.State.ACTIVE)
    caring = Q(circle__memberships__role__in=[Membership.Role.HOST, Membership.Role.FACILITATOR])
    rows = (
        FollowUp.objects.filter(
            Q(member=user) | (active & (caring | Q(meeting__facilitators=user)))
        )
        .distinct()
        .select_related("circle", "member", "opened_by")
        .order_by("-last_message_at", "-pk")
    )
    return list(rows[:limit])
