"""Who may see and do what in moderation. Views, templates, the admin and the room ask here.

``can_*`` functions never raise; ``why_not_*`` give the refusal a member can read, and the
``check_*`` helpers raise ``Refused("forbidden")`` with it.

Hosts handle their own circle's reports and safety events; site staff handle everything.
Reports about a circle itself go to staff only, and nobody handles a report about
themselves.
"""

from django.db.models import Q, QuerySet

from circles.models import Circle, Membership
from circles.permissions import (
    can_moderate,
    can_view_circle,
    is_active_member,
    is_staff,
    membership_of,
)
from hearth.refusal import Refused
from moderation.models import ModerationAction, Report, SafetyEvent
from moderation.registry import handler_for

ACTIONS = ("dismiss", "hide", "warn", "mute", "remove", "ban", "suspend")
MEMBERSHIP_ACTIONS = ("mute", "remove", "ban")
CIRCLE_TARGET = ("circles", "circle")


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def moderated_circles(user) -> QuerySet[Circle]:
    """The circles whose reports ``user`` handles (all of them for staff)."""
    if is_staff(user):
        return Circle.objects.all()
    if not _authenticated(user):
        return Circle.objects.none()
    return Circle.objects.filter(
        memberships__user=user,
        memberships__state=Membership.State.ACTIVE,
        memberships__role=Membership.Role.HOST,
    )


def can_view_queue(user) -> bool:
    """Hosts of any circle and site staff. Remembered on the user object, which lives for
    one request, because the navigation and the dashboard both ask."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not hasattr(user, "_can_view_queue"):
        user._can_view_queue = is_staff(user) or moderated_circles(user).exists()
    return user._can_view_queue


def check_view_queue(user) -> None:
    if not can_view_queue(user):
        raise Refused("forbidden", "The moderation queue is for circle hosts and site staff.")


def visible_reports(user) -> QuerySet[Report]:
    """Reports ``user`` may see in the queue."""
    if is_staff(user):
        return Report.objects.all()
    if not _authenticated(user):
        return Report.objects.none()
    return (
        Report.objects.filter(circle__in=moderated_circles(user))
        .exclude(content_type__app_label=CIRCLE_TARGET[0], content_type__model=CIRCLE_TARGET[1])
        .exclude(reported_user=user)
    )


def can_view_report(user, report: Report) -> bool:
    if is_staff(user):
        return True
    if not _authenticated(user) or report.circle is None:
        return False
    if (report.content_type.app_label, report.content_type.model) == CIRCLE_TARGET:
        return False
    if report.reported_user_id == user.pk:
        return False
    return can_moderate(user, report.circle)


def can_see_reporter(user, report: Report) -> bool:
    """Only staff see who filed a report; the reported member never does."""
    return is_staff(user) and report.reported_user_id != user.pk


def reported_membership(report: Report, *, fresh: bool = False) -> Membership | None:
    """The reported member's membership in the report's circle (cached on the report for
    one page; ``fresh=True`` reads it again, as actions do)."""
    if report.reported_user_id is None or report.circle_id is None:
        return None
    if not fresh and "_reported_membership" in report.__dict__:
        return report.__dict__["_reported_membership"]
    report.__dict__["_reported_membership"] = membership = (
        Membership.objects.select_related("circle")
        .filter(circle_id=report.circle_id, user_id=report.reported_user_id)
        .first()
    )
    return membership


def why_not_restrict(user, membership: Membership | None, action: str) -> str | None:
    """Why ``user`` may not mute, remove or ban ``membership`` (``None``: they may)."""
    if membership is None:
        return "There is no member of this circle to act on for this report."
    if membership.user_id == getattr(user, "pk", None):
        return "You can't act on yourself."
    if not (is_staff(user) or can_moderate(user, membership.circle)):
        return "Only the circle's hosts and site staff can do that."
    if membership.is_host and not is_staff(user):
        return "A host can only be restricted by site staff."
    if action == "ban":
        if membership.state == Membership.State.BANNED:
            return "This member is already banned from the circle."
    elif not membership.is_active:
        return "This person is no longer an active member of the circle."
    return None


def can_restrict_member(user, membership: Membership | None, action: str = "mute") -> bool:
    return why_not_restrict(user, membership, action) is None


def why_not_act_on_report(user, report: Report, action: str) -> str | None:
    """Why ``user`` may not take ``action`` on ``report`` (``None``: they may).

    This is about roles and what the report is about; whether the report is still open is
    checked under the row lock by the action itself.
    """
    if action not in ACTIONS:
        return "Choose one of the actions offered."
    if not can_view_report(user, report):
        return "Only the circle's hosts and site staff can handle this report."
    if action == "dismiss":
        return None
    if action == "hide":
        if handler_for(report.target_label) is None:
            return "This kind of report has no content to hide."
        return None
    if report.reported_user_id is None:
        return "This report is not about a member who still has an account."
    if action == "warn":
        return None
    if action == "suspend":
        if not can_suspend(user):
            return "Only site staff can suspend an account."
        if report.reported_user_id == user.pk:
            return "You can't act on yourself."
        return None
    return why_not_restrict(user, reported_membership(report), action)


def can_act_on_report(user, report: Report, action: str) -> bool:
    return why_not_act_on_report(user, report, action) is None


def check_act_on_report(user, report: Report, action: str) -> None:
    reason = why_not_act_on_report(user, report, action)
    if reason is not None:
        raise Refused("forbidden", reason)


def allowed_actions(user, report: Report) -> list[str]:
    return [action for action in ACTIONS if can_act_on_report(user, report, action)]


def can_suspend(user) -> bool:
    return is_staff(user)


def can_suspend_user(user, target) -> bool:
    return can_suspend(user) and target is not None and target.pk != user.pk


def can_view_audit_log(user) -> bool:
    return is_staff(user)


def check_view_audit_log(user) -> None:
    if not can_view_audit_log(user):
        raise Refused("forbidden", "The moderation log is for site staff.")


def actions_about(user) -> QuerySet[ModerationAction]:
    """What a member may see of the log: actions taken about them."""
    if not _authenticated(user):
        return ModerationAction.objects.none()
    return ModerationAction.objects.filter(target_user=user)


def visible_safety_events(user) -> QuerySet[SafetyEvent]:
    if is_staff(user):
        return SafetyEvent.objects.all()
    if not _authenticated(user):
        return SafetyEvent.objects.none()
    return SafetyEvent.objects.filter(circle__in=moderated_circles(user)).exclude(user=user)


def can_follow_up(user, event: SafetyEvent) -> bool:
    if is_staff(user):
        return True
    if not _authenticated(user) or event.circle is None or event.user_id == user.pk:
        return False
    return can_moderate(user, event.circle)


def check_follow_up(user, event: SafetyEvent) -> None:
    if not can_follow_up(user, event):
        raise Refused("forbidden", "Only the circle's hosts and site staff can follow this up.")


# --- Reporting --------------------------------------------------------------------------


def why_not_report_member(user, target, circle: Circle | None) -> str | None:
    """Members report people they share a circle with; staff can report anyone."""
    if not _authenticated(user):
        return "Log in to report something."
    if target is None or circle is None:
        return "We couldn't find that member."
    if target.pk == user.pk:
        return "You can't report yourself."
    if not (is_active_member(user, circle) or is_staff(user)):
        return "We couldn't find that member."
    if membership_of(target, circle) is None:
        return "We couldn't find that member."
    return None


def why_not_report_circle(user, circle: Circle | None) -> str | None:
    if not _authenticated(user):
        return "Log in to report something."
    if circle is None or not can_view_circle(user, circle):
        return "We couldn't find that circle."
    return None


def shared_circle(user, target) -> Circle | None:
    """A circle where both are active members, to file a member report in."""
    if not _authenticated(user) or target is None:
        return None
    mine = Membership.objects.filter(user=user, state=Membership.State.ACTIVE).values("circle")
    return (
        Circle.objects.filter(
            Q(memberships__user=target) & Q(memberships__state=Membership.State.ACTIVE),
            pk__in=mine,
        )
        .order_by("pk")
        .first()
    )
