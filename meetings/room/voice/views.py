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

from circles.permissions import membership_of
from hearth.ratelimits import limited_by, over_limit
from meetings.models import Meeting
from meetings.permissions import get_meeting_for, room_role
from meetings.room import limits
from meetings.room.voice import reports, turn
from meetings.room.voice.signaling import VOICE_REFUSAL_MESSAGES, VoiceRefused
from meetings.wellbeing.permissions import needs_meeting_agreement

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
        return _refused(429, "rate_limited", VOICE_REFUSAL_MESSAGES["rate_limited"])
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
    except VoiceRefused as refusal:
        status = {"forbidden": 403, "not_found": 404, "voice_off": 403}.get(refusal.code, 400)
        return _refused(status, refusal.code, refusal.message)
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
        return _refused(403, "voice_off", VOICE_REFUSAL_MESSAGES["voice_off"])
    return JsonResponse(
        turn.ice_servers(
            settings.TURN_URLS, settings.TURN_SECRET, time.time(), limits.TURN_CREDENTIAL_SECONDS
        )
    )


def _may_enter(user, meeting: Meeting) -> bool:
    """The room socket's entry rule (``RoomConsumer``): a room role, and a member neither
    muted in the circle nor still to confirm the agreements."""
    role = room_role(user, meeting)
    if role is None:
        return False
    if role != "member":
        return True
    membership = membership_of(user, meeting.circle)
    if membership is not None and membership.is_muted():
        return False
    return not needs_meeting_agreement(user, meeting)


def _refused(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)
