"""The moderation pages: report, queue, act, follow up, the log, and a member's own view.

Views parse, ask ``moderation.permissions``, call ``moderation.actions`` and redirect.
A report the viewer may not see is "not found"; an action they may not take is a 403
with the reason; bad input is a message on the report's page, with nothing changed.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles import permissions as circle_permissions
from circles.models import Circle
from hearth.ratelimits import rate_limited
from hearth.refusal import Refused
from hearth.refusal_views import refused_redirect
from moderation import actions, permissions, registry
from moderation.forms import ActForm, FollowUpForm, LogFilterForm, QueueFilterForm, ReportForm
from moderation.models import (
    MODERATION_OF_A_MEMBER,
    ModerationAction,
    Notice,
    Report,
    SafetyEvent,
    Suspension,
)
from moderation.registry import handler_for, safety_event_links

QUEUE_LIMIT = 50
SUCCESS = {
    "dismiss": "Report dismissed.",
    "hide": "The content is hidden everywhere.",
    "warn": "Your warning was sent to the member.",
    "mute": "The member is muted in the circle.",
    "remove": "The member was removed from the circle.",
    "ban": "The member is banned from the circle.",
    "suspend": "The account is suspended and logged out everywhere.",
}


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


# --- Reporting ------------------------------------------------------------------------------


def _resolve_target(user, data):
    """(target, circle, refusal) for a member or circle report."""
    if data["kind"] == "member":
        target = get_user_model().objects.filter(pk=data["target"], is_active=True).first()
        if data.get("circle"):
            circle = Circle.objects.filter(pk=data["circle"]).first()
        else:
            circle = permissions.shared_circle(user, target)
        return target, circle, permissions.why_not_report_member(user, target, circle)
    circle = Circle.objects.filter(pk=data["target"]).first()
    return circle, circle, permissions.why_not_report_circle(user, circle)


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("report")
def report(request):
    form = ReportForm(request.POST if request.method == "POST" else None, initial=request.GET)
    context = {"form": form}
    if request.method == "GET":
        probe = ReportForm({"reason": "other", **request.GET.dict()})
        if not probe.is_valid():
            context["refusal"] = "We couldn't find what you wanted to report."
            return render(request, "moderation/report_form.html", context, status=404)
        target, _, refusal = _resolve_target(request.user, probe.cleaned_data)
        context.update(target=target, refusal=refusal, kind=probe.cleaned_data["kind"])
        return render(
            request, "moderation/report_form.html", context, status=404 if refusal else 200
        )
    if not form.is_valid():
        return render(request, "moderation/report_form.html", context, status=400)
    target, circle, refusal = _resolve_target(request.user, form.cleaned_data)
    context.update(target=target, kind=form.cleaned_data["kind"])
    if refusal:
        context["refusal"] = refusal
        return render(request, "moderation/report_form.html", context, status=404)
    try:
        actions.file_report(
            request.user,
            target=target,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            circle=circle,
        )
    except Refused as error:
        context["refusal"] = error.message
        return render(request, "moderation/report_form.html", context, status=error.status)
    messages.success(
        request,
        "Thank you for telling us. The moderators will look at your report; "
        "the person you reported won't see who reported them.",
    )
    return redirect(_safe_next(request, reverse("members:home")))


# --- The queue --------------------------------------------------------------------------------


def _card(user, report: Report, group: list[Report]) -> dict:
    """What the queue shows about one report (and the others about the same thing)."""
    history_reports, history_actions = [], []
    if report.reported_user_id and report.circle_id:
        history_reports = list(
            Report.objects.filter(reported_user_id=report.reported_user_id, circle=report.circle)
            .exclude(pk__in=[row.pk for row in group])
            .order_by("-created_at")[:5]
        )
        history_actions = list(
            ModerationAction.objects.filter(
                target_user_id=report.reported_user_id, circle=report.circle
            ).order_by("-created_at", "-pk")[:10]
        )
    handler = handler_for(report.target_label)
    content_state = None
    if handler is not None and handler.describe is not None:
        content_state = handler.describe(report.object_id)
    return {
        "report": report,
        "group": group,
        "count": len(group),
        "notes": [row.note for row in group if row.note],
        "history_reports": history_reports,
        "history_actions": history_actions,
        "allowed": permissions.allowed_actions(user, report) if report.is_open else [],
        "show_reporter": permissions.can_see_reporter(user, report),
        "content_state": content_state,
        "form": ActForm(auto_id=f"report-{report.pk}-%s"),
    }


def get_report_for(user, pk: int) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("circle", "reported_user", "reporter", "content_type"),
        pk=pk,
    )
    if not permissions.can_view_report(user, report):
        raise Http404("No such report.")
    return report


@login_required
@require_GET
def queue(request):
    permissions.check_view_queue(request.user)
    circles = permissions.moderated_circles(request.user)
    form = QueueFilterForm(request.GET or None, circles=circles)
    reports = (
        form.filter(permissions.visible_reports(request.user))
        .select_related("circle", "reported_user", "reporter", "content_type")
        .annotate(
            safety_first=Case(
                When(reason=Report.Reason.AT_RISK, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("safety_first", "created_at", "pk")
    )
    groups: dict[tuple, list[Report]] = {}
    for row in reports[: QUEUE_LIMIT * 10]:
        groups.setdefault((row.group_key, row.circle_id, row.is_open), []).append(row)
    cards = [_card(request.user, rows[0], rows) for rows in list(groups.values())[:QUEUE_LIMIT]]
    events = (
        permissions.visible_safety_events(request.user)
        .exclude(follow_up=SafetyEvent.FollowUp.CLOSED)
        .select_related("circle")
        .order_by("created_at", "pk")
    )
    events = list(events[:QUEUE_LIMIT])
    links = safety_event_links(request.user, events)
    meetings = registry.describe_meetings({event.meeting_id for event in events})
    return render(
        request,
        "moderation/queue.html",
        {
            "form": form,
            "cards": cards,
            "events": [
                {
                    "event": event,
                    "meeting": meetings.get(event.meeting_id),
                    "form": FollowUpForm(
                        initial={"state": event.follow_up}, auto_id=f"event-{event.pk}-%s"
                    ),
                    "link": links.get(event.pk),
                }
                for event in events
            ],
            "can_view_log": permissions.can_view_audit_log(request.user),
        },
    )


@login_required
@require_GET
def report_detail(request, pk):
    report = get_report_for(request.user, pk)
    group = list(
        Report.objects.filter(
            group_key=report.group_key, circle_id=report.circle_id, state=report.state
        ).order_by("created_at", "pk")
    ) or [report]
    return render(
        request,
        "moderation/report_detail.html",
        {"card": _card(request.user, report, group)},
    )


@login_required
@require_POST
@rate_limited("moderation")
def act(request, pk):
    report = get_report_for(request.user, pk)
    form = ActForm(request.POST)
    back = reverse("moderation:report_detail", args=[report.pk])
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(back)
    data = form.cleaned_data
    try:
        actions.handle_report(
            report,
            request.user,
            data["action"],
            message=data["message"],
            hours=data["hours"],
            permanent=data["permanent"],
        )
    except Refused as error:
        return refused_redirect(request, error, back)
    messages.success(request, SUCCESS[data["action"]])
    return redirect(_safe_next(request, reverse("moderation:queue")))


@login_required
@require_POST
@rate_limited("moderation")
def follow_up(request, pk):
    event = get_object_or_404(permissions.visible_safety_events(request.user), pk=pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("moderation:queue")
    try:
        actions.set_follow_up(
            event, request.user, form.cleaned_data["state"], note=form.cleaned_data["note"]
        )
    except Refused as error:
        return refused_redirect(request, error, "moderation:queue")
    messages.success(request, "Follow-up saved.")
    return redirect("moderation:queue")


# --- Staff: the log and suspensions -------------------------------------------------------------


@login_required
@require_GET
def audit_log(request):
    permissions.check_view_audit_log(request.user)
    form = LogFilterForm(request.GET or None)
    entries = form.filter(ModerationAction.objects.select_related("report"))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "moderation/log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@require_GET
def suspensions(request):
    if not permissions.can_suspend(request.user):
        raise PermissionDenied("Suspensions are handled by site staff.")
    current = Suspension.objects.filter(ended_at__isnull=True).select_related("user", "created_by")
    return render(request, "moderation/suspensions.html", {"suspensions": current})


@login_required
@require_POST
@rate_limited("moderation")
def end_suspension(request, pk):
    if not permissions.can_suspend(request.user):
        raise PermissionDenied("Suspensions are handled by site staff.")
    suspension = get_object_or_404(Suspension, pk=pk)
    if actions.end_suspension(suspension, request.user):
        messages.success(request, "The suspension has ended; the member can log in again.")
    else:
        messages.error(request, "That suspension had already ended.")
    return redirect("moderation:suspensions")


# --- The member's own view ------------------------------------------------------------------


def _about_me(user):
    """Moderation of a member by others (or by Hearth), without who took it: warnings,
    mutes, removals, bans; never a room's housekeeping (``MODERATION_OF_A_MEMBER``)."""
    return (
        permissions.actions_about(user)
        .exclude(actor=user)
        .filter(action__in=MODERATION_OF_A_MEMBER)
    )


@login_required
@require_GET
def mine(request):
    return render(
        request,
        "moderation/mine.html",
        {
            "notices": Notice.objects.filter(user=request.user).select_related("circle")[:50],
            "entries": _about_me(request.user)[:100],
        },
    )


@login_required
@require_POST
@rate_limited("read")
def notice_read(request, pk):
    try:
        actions.mark_notice_read(pk, request.user)
    except Refused as error:
        messages.error(request, error.message)
    return redirect(_safe_next(request, reverse("moderation:mine")))


def panel_context(request) -> dict:
    """The /me/ panel: unread notices from moderation, and for hosts and staff what waits
    in the queue."""
    user = request.user
    notices = Notice.objects.filter(user=user, read_at__isnull=True).select_related("circle")
    context = {"notices": list(notices[:5]), "unread": notices.count(), "queue": None}
    if permissions.can_view_queue(user):
        context["queue"] = {
            "reports": permissions.visible_reports(user).filter(state=Report.State.OPEN).count(),
            "safety": permissions.visible_safety_events(user)
            .exclude(follow_up=SafetyEvent.FollowUp.CLOSED)
            .count(),
        }
    return context


def circle_panel_context(request, circle) -> dict:
    """The circle page's panel: ways to report, and open reports for its hosts."""
    user = request.user
    context = {"circle": circle, "can_report": False, "open_reports": None, "members": []}
    if permissions.why_not_report_circle(user, circle) is not None:
        return context
    context["can_report"] = True
    if circle_permissions.can_view_members(user, circle):
        context["members"] = [
            membership.user
            for membership in circle.memberships.filter(state="active")
            .exclude(user=user)
            .select_related("user")
        ]
    if permissions.can_moderate(user, circle):
        context["open_reports"] = (
            permissions.visible_reports(user).filter(circle=circle, state=Report.State.OPEN).count()
        )
    return context


def export_section(user) -> dict:
    """For "download my data": what moderation holds about the member (never who
    reported them, nor other members' words)."""
    return {
        "notices": [
            {
                "kind": notice.kind,
                "circle": notice.circle.name if notice.circle else None,
                "message": notice.message,
                "created_at": notice.created_at.isoformat(),
                "read_at": notice.read_at.isoformat() if notice.read_at else None,
            }
            for notice in Notice.objects.filter(user=user).select_related("circle")
        ],
        "actions_about_me": [
            {
                "action": entry.action,
                "circle": entry.circle_name or None,
                "reason": entry.reason,
                "created_at": entry.created_at.isoformat(),
            }
            for entry in _about_me(user)
        ],
        "reports_filed": [
            {
                "reason": row.reason,
                "note": row.note,
                "state": row.state,
                "created_at": row.created_at.isoformat(),
            }
            for row in Report.objects.filter(reporter=user)
        ],
        "suspensions": [
            {
                "starts_at": row.starts_at.isoformat(),
                "ends_at": row.ends_at.isoformat() if row.ends_at else None,
                "ended_at": row.ended_at.isoformat() if row.ended_at else None,
                "reason": row.reason,
            }
            for row in Suspension.objects.filter(user=user)
        ],
    }
