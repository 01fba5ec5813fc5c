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
from hearth.refusal import Refused
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
    if request.method != "POST":
        return refused_json(Refused("bad_request", "Send this as a POST."), status=405)
    try:
        meeting = _room_meeting(request, meeting_id)
        if over_limit(request, "report") is not None:
            raise Refused("rate_limited")
        turn_id = request.POST.get("turn_id", "")
        if not turn_id.isdigit():
            raise Refused("bad_request", "Which turn? 'turn_id' is a whole number.")
        report = reports.report_voice_turn(
            meeting,
            request.user,
            int(turn_id),
            request.POST.get("reason", ""),
            request.POST.get("note", ""),
        )
    except Refused as refusal:
        return _answer(request, refusal)
    return JsonResponse({"reported": True, "report_id": report.pk})


@never_cache
@require_GET
def ice_servers(request, meeting_id):
    """``{"iceServers", "iceTransportPolicy"}`` for one ``RTCPeerConnection``: fresh
    short-lived TURN credentials when TURN is configured, else no servers."""
    try:
        meeting = _room_meeting(request, meeting_id)
        if not meeting.circle.voice_enabled:
            raise Refused("voice_off")
    except Refused as refusal:
        return _answer(request, refusal)
    return JsonResponse(
        turn.ice_servers(
            settings.TURN_URLS, settings.TURN_SECRET, time.time(), limits.TURN_CREDENTIAL_SECONDS
        )
    )


def _room_meeting(request, meeting_id) -> Meeting:
    """The meeting, if the room's one entry rule (``meetings.room.entry``) lets this
    person in now, as the socket asks it; else ``Refused`` with the rule's words."""
    if not request.user.is_authenticated:
        raise Refused("forbidden", "Please log in again.")
    try:
        meeting = get_meeting_for(request.user, meeting_id)
    except Http404:
        raise Refused("not_found", "There's no such meeting.") from None
    except PermissionDenied:
        raise Refused("forbidden", NOT_IN_THE_ROOM) from None
    entry = entry_for(request.user, meeting)
    if entry.close_code is not None:
        raise Refused("forbidden", entry.reason)
    return meeting


def _answer(request, refusal: Refused) -> JsonResponse:
    """A refusal as JSON; 401 for someone not logged in (the page logs them in again)."""
    return refused_json(refusal, status=None if request.user.is_authenticated else 401)
