"""Voice's HTTP side: the room page's voice settings, the ICE servers a page fetches
before each peer connection, and a report about a spoken turn (docs/voice.md)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hearth.ratelimits import limited_by, over_limit
from hearth.refusal import REFUSAL_MESSAGES, Refused
from hearth.refusal_views import refused_json
from meetings.models import Meeting
from meetings.permissions import get_meeting_for
from meetings.room import limits
from meetings.room.entry import entry_for
from meetings.room.voice import reports, turn

NOT_IN_THE_ROOM = "Voice is for the people who may be in this circle's room."


def relay_only() -> bool:
    """Whether pages relay all sound through TURN (so members never see each other's IPs)."""
    return bool(settings.TURN_URLS and settings.TURN_SECRET)


def page_config(meeting: Meeting) -> dict:
    """The room page's ``voice-config`` (``json_script``)."""
    return {
        "enabled": meeting.circle.voice_enabled,
        "max_voices": settings.VOICE_MAX_PARTICIPANTS,
        "ice_servers_url": reverse("room:voice_ice_servers", args=[meeting.pk]),
        "relay_only": relay_only(),
    }


@limited_by("report")
def report_turn(request, meeting_id):
    """POST ``turn_id``, ``reason``, ``note``: report the spoken turn under way (JSON)."""
    if not request.user.is_authenticated:
        return _refused(401, "forbidden", "Please log in again.")
    if request.method != "POST":
        return _refused(405, "bad_request", "Send this as a POST.")
    try:
        meeting = get_meeting_for(request.user, meeting_id)
    except Http404:
        return _refused(404, "not_found", "There's no such meeting.")
    if not _may_enter(request.user, meeting):
        return _refused(403, "forbidden", NOT_IN_THE_ROOM)
    if over_limit(request, "report") is not None:
        return _refused(429, "rate_limited", REFUSAL_MESSAGES["rate_limited"])
    turn_id = request.POST.get("turn_id", "")
    if not turn_id.isdigit():
        return _refused(400, "bad_request", "Which turn? 'turn_id' is a whole number.")
    try:
        report = reports.report_voice_turn(
            meeting,
            request.user,
            int(turn_id),
            request.POST.get("reason", ""),
            request.POST.get("note", ""),
        )
    except Refused as refusal:
        return refused_json(refusal)
    return JsonResponse({"reported": True, "report_id": report.pk})


@never_cache
@require_GET
def ice_servers(request, meeting_id):
    """``{"iceServers", "iceTransportPolicy"}`` for one ``RTCPeerConnection``: fresh
    short-lived TURN credentials when TURN is configured, else no servers."""
    if not request.user.is_authenticated:
        return _refused(401, "forbidden", "Please log in again.")
    try:
        meeting = get_meeting_for(request.user, meeting_id)
    except Http404:
        return _refused(404, "not_found", "There's no such meeting.")
    except PermissionDenied:
        return _refused(403, "forbidden", NOT_IN_THE_ROOM)
    if not _may_enter(request.user, meeting):
        return _refused(403, "forbidden", NOT_IN_THE_ROOM)
    if not meeting.circle.voice_enabled:
        return _refused(403, "voice_off", REFUSAL_MESSAGES["voice_off"])
    return JsonResponse(
        turn.ice_servers(
            settings.TURN_URLS, settings.TURN_SECRET, time.time(), limits.TURN_CREDENTIAL_SECONDS
        )
    )


def _may_enter(user, meeting: Meeting) -> bool:
    """The room's one entry rule (``meetings.room.entry``), as the socket asks it."""
    return entry_for(user, meeting).close_code is None


def _refused(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)
