"""The talking circle's page. The room itself lives on the WebSocket (see consumer.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from circles.permissions import membership_of
from meetings.permissions import get_meeting_for, is_room_moderator, room_role
from meetings.room import gentle
from meetings.room.models import Reaction
from meetings.wellbeing.views import room_context as wellbeing_context
from moderation.models import Report


@require_GET
@login_required
def room(request, meeting_id):
    meeting = get_meeting_for(request.user, meeting_id)
    role = room_role(request.user, meeting)
    if role is None:
        raise PermissionDenied(
            "The room is for the circle's members who said they are going, the meeting's "
            "facilitators, the circle's hosts and site staff."
        )
    membership = membership_of(request.user, meeting.circle)
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
        "muted_in_circle": role == "member" and membership is not None and membership.is_muted(),
        "socket_path": f"/ws/meetings/{meeting.pk}/room/",
        "reactions": Reaction.Kind.choices,
        "report_reasons": Report.Reason.choices,
        **wellbeing,
    }
    return render(request, "meetings/room.html", context)
