import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles import permissions as circle_permissions
from circles.models import Circle
from hearth.ratelimits import rate_limited
from hearth.refusal import Refused
from hearth.refusal_views import refused_form, refused_redirect
from meetings import actions, calendar, permissions, queries
from meetings.forms import CancelForm, MeetingForm
from meetings.models import RSVP, CalendarFeed

RSVP_MESSAGES = {
    RSVP.Response.GOING: "You're going. See you there.",
    RSVP.Response.WAITLISTED: "The meeting is full, so you're on the waitlist. "
    "We'll tell you if a place opens up.",
    RSVP.Response.NOT_GOING: "Thanks for letting us know you can't come.",
}


@login_required
@require_GET
def detail(request, pk):
    meeting = permissions.get_meeting_for(request.user, pk)
    return render(request, "meetings/detail.html", queries.meeting_page(meeting, request.user))


@login_required
@require_POST
@rate_limited("rsvp")
def rsvp(request, pk):
    meeting = permissions.get_meeting_for(request.user, pk)
    try:
        result = actions.rsvp(request.user, meeting, request.POST.get("response", ""))
    except Refused as refusal:
        return refused_redirect(request, refusal, meeting)
    if result.changed:
        messages.success(request, RSVP_MESSAGES[result.response])
    else:
        messages.info(request, "Your answer was already saved.")
    return redirect(meeting)


def _circle_for_scheduling(user, slug) -> Circle:
    circle = get_object_or_404(Circle, slug=slug)
    if not circle_permissions.can_view_circle(user, circle):
        raise Http404("No such circle.")
    permissions.check_schedule(user, circle)
    return circle


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("meetings")
def new(request, slug):
    circle = _circle_for_scheduling(request.user, slug)
    form = MeetingForm(request.POST or None, circle=circle, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.schedule_meeting(
                request.user,
                circle,
                form.draft(),
                frequency=form.cleaned_data.get("repeat") or "",
                until=form.cleaned_data.get("until"),
            )
        except Refused as refusal:
            status = refused_form(form, refusal)
        else:
            messages.success(request, "The meeting is scheduled.")
            return redirect(meeting)
    return render(request, "meetings/form.html", {"form": form, "circle": circle}, status=status)


def _meeting_to_manage(user, pk):
    meeting = permissions.get_meeting_for(user, pk)
    permissions.check_manage_meeting(user, meeting)
    return meeting


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("meetings")
def edit(request, pk):
    meeting = _meeting_to_manage(request.user, pk)
    if not permissions.can_edit_meeting(request.user, meeting):
        messages.error(request, "This meeting was cancelled or has ended, so it can't be edited.")
        return redirect(meeting)
    form = MeetingForm(
        request.POST or None, circle=meeting.circle, user=request.user, meeting=meeting
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.edit_meeting(
                request.user,
                meeting,
                form.draft(),
                apply_to=form.cleaned_data.get("apply_to") or actions.THIS,
            )
        except Refused as refusal:
            status = refused_form(form, refusal)
        else:
            messages.success(request, "The meeting is updated. Everyone who answered is told.")
            return redirect(meeting)
    context = {"form": form, "circle": meeting.circle, "meeting": meeting}
    return render(request, "meetings/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("meetings")
def cancel(request, pk):
    meeting = _meeting_to_manage(request.user, pk)
    if not permissions.can_cancel_meeting(request.user, meeting):
        messages.error(request, "This meeting was already cancelled or has ended.")
        return redirect(meeting)
    form = CancelForm(request.POST or None, meeting=meeting)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.cancel_meeting(
                request.user,
                meeting,
                form.cleaned_data["reason"],
                apply_to=form.cleaned_data.get("apply_to") or actions.THIS,
            )
        except Refused as refusal:
            status = refused_form(form, refusal)
        else:
            messages.success(request, "The meeting is cancelled. Everyone who answered is told.")
            return redirect(meeting)
    context = {"form": form, "meeting": meeting}
    return render(request, "meetings/cancel.html", context, status=status)


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def meeting_ics(request, pk):
    meeting = permissions.get_meeting_for(request.user, pk)
    content = calendar.calendar_for([meeting], meeting.circle.name)
    return _ics(content, f"{slugify(meeting.title) or 'meeting'}.ics")


@require_GET
def feed_ics(request, token):
    """The private feed: the token is the only credential, so no session is needed."""
    if not re.fullmatch(calendar.FEED_TOKEN_PATTERN, token):
        raise Http404("No such calendar.")
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    content = calendar.calendar_for(calendar.feed_meetings(feed.user), "Hearth meetings")
    response = _ics(content, "hearth.ics")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def calendar_page(request):
    feed = calendar.feed_for(request.user)
    feed_url = request.build_absolute_uri(f"/meetings/feed/{feed.token}.ics")
    return render(request, "meetings/calendar.html", {"feed_url": feed_url})


@login_required
@require_POST
@rate_limited("account")
def calendar_reset(request):
    calendar.reset_feed(request.user)
    messages.success(request, "Your calendar address is new. The old one no longer works.")
    return redirect("meetings:calendar")


@login_required
@require_POST
@rate_limited("read")
def notifications_read(request):
    actions.mark_notifications_read(request.user)
    messages.success(request, "All caught up.")
    return redirect("members:home")
