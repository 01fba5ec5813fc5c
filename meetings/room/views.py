"""The talking circle's page, and "I need support" over HTTP for when its socket is not
connected. The room itself lives on the WebSocket (see consumer.py)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_permissions_policy.decorators import permissions_policy_override

from circles.rendering import crisis_resource_lines
from hearth.ratelimits import limited_by, over_limit
from hearth.refusal import REFUSAL_MESSAGES, Refused
from meetings import queries
from meetings.followups.hooks import support_promise
from meetings.models import Meeting
from meetings.permissions import get_meeting_for, is_room_moderator
from meetings.room import gentle, limits, system
from meetings.room.entry import NOT_IN_THE_ROOM, entry_for
from meetings.room.models import Reaction
from meetings.room.voice import views as voice_views
from meetings.wellbeing.views import room_context as wellbeing_context
from moderation.models import Report

# "I need support" over HTTP is limited per account (hearth.ratelimits "support"). A person
# who presses it again and again still sees the resources every time; only the recording
# waits.
SUPPORT_RATE_MESSAGE = (
    "You've asked several times in a minute. A facilitator has your request; "
    "the resources below are always here."
)
SUPPORT_RECORDED = "A facilitator has been told you need support."


def _room_for(user, meeting_id) -> tuple[Meeting, str]:
    """The meeting and the person's room role (``meetings.room.entry``), with the page's
    refusals (404, 403). Anyone with a role sees the page, its lobby while the room is
    closed or their agreements wait."""
    meeting = get_meeting_for(user, meeting_id)
    entry = entry_for(user, meeting)
    if entry.role is None:
        raise PermissionDenied(entry.reason)
    return meeting, entry.role


# The one page that may use the microphone, and only in a circle with voice on.
_with_microphone = permissions_policy_override(
    {**settings.PERMISSIONS_POLICY, "microphone": ["self"]}
)


@require_GET
@login_required
def room(request, meeting_id):
    meeting, role = _room_for(request.user, meeting_id)
    can_moderate = is_room_moderator(role)
    wellbeing = wellbeing_context(request.user, meeting)
    context = {
        "meeting": meeting,
        "role": role,
        "can_moderate": can_moderate,
        "holds_at_agreements": role == "member" and wellbeing["wellbeing_needs_agreement"],
        "nudges": list(gentle.nudge_texts(meeting.circle).items()) if can_moderate else [],
        "agreement_lines": gentle.agreement_lines(meeting.circle) if can_moderate else [],
        "is_open": meeting.room_is_open(),
        "socket_path": f"/ws/meetings/{meeting.pk}/room/",
        "limits": limits.for_the_page(),
        "reactions": Reaction.Kind.choices,
        "report_reasons": Report.Reason.choices,
        "support_promise": support_promise(request.user),
        "crisis_resources": crisis_resource_lines(meeting.circle.crisis_resources_text),
        "support_url": reverse("room:support", args=[meeting.pk]),
        "room_ended": queries.room_has_ended(meeting),
        "next_meeting": queries.next_meeting_of(meeting),
        "voice": voice_views.page_config(meeting),
        **wellbeing,
    }
    page = _with_microphone(render) if context["voice"]["enabled"] else render
    return page(request, "meetings/room.html", context)


@limited_by("support")
def support(request, meeting_id):
    """ "I need support" without the socket: the same action as the socket's
    ``need_support``. JSON for ``fetch`` (``Accept: application/json``), a plain page with
    the circle's crisis resources for a form posted without JavaScript."""
    if not request.user.is_authenticated:
        return _support_answer(request, None, 401, "forbidden", "Please log in again.")
    if request.method != "POST":
        return _support_answer(request, None, 405, "bad_request", "Send this as a POST.")
    try:
        meeting, _role = _room_for(request.user, meeting_id)
    except Http404:
        return _support_answer(request, None, 404, "not_found", "There's no such meeting.")
    except PermissionDenied:
        return _support_answer(request, None, 403, "forbidden", NOT_IN_THE_ROOM)
    if over_limit(request, "support") is not None:
        return _support_answer(request, meeting, 429, "rate_limited", SUPPORT_RATE_MESSAGE)
    try:
        alert_id = system.ask_for_support(meeting.pk, request.user, request.POST.get("note", ""))
    except Refused as refusal:
        return _support_answer(request, meeting, refusal.status, refusal.code, refusal.message)
    if _wants_json(request):
        return JsonResponse({"recorded": True, "alert_id": alert_id})
    return _support_page(request, meeting, 200, SUPPORT_RECORDED, recorded=True)


def _support_answer(request, meeting, status: int, code: str, message: str):
    if _wants_json(request):
        body = {"error": {"code": code, "message": message or REFUSAL_MESSAGES[code]}}
        return JsonResponse(body, status=status)
    return _support_page(request, meeting, status, message)


def _support_page(request, meeting, status: int, message: str, recorded: bool = False):
    if meeting is not None:
        text = meeting.circle.crisis_resources_text
    else:
        text = settings.HEARTH_DEFAULT_CRISIS_RESOURCES
    context = {
        "meeting": meeting,
        "recorded": recorded,
        "message": message,
        "crisis_resources": crisis_resource_lines(text),
    }
    return render(request, "meetings/room_support.html", context, status=status)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")
