"""Pages for follow-ups: open one from a reason, read and answer a thread, close it, and
report a message. Each view parses, asks ``permissions``, calls ``actions``, renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from circles.rendering import crisis_resource_lines
from hearth.ratelimits import limited_by, over_limit, rate_limited
from hearth.refusal import Refused
from hearth.refusal_views import refused_form
from meetings.followups import actions, permissions
from meetings.followups.forms import MessageForm, ReportMessageForm
from meetings.followups.models import FollowUp, FollowUpMessage
from meetings.followups.reasons import find_reason
from members.models import display_name_of

RATE_LIMITED = (
    "You've sent a lot of messages just now. Please wait a few minutes; your words are still here."
)


def _field_of(refusal: Refused) -> str | None:
    """What the person wrote was refused (empty, too long, a blocked word): the error sits on
    the text; a refusal of the person (a closed thread) on the whole form."""
    return None if refusal.code == "forbidden" else "text"


def _focus_first_error(form) -> None:
    """After a refusal the page comes back with the text; the cursor goes back into it."""
    if form.is_bound and form.errors:
        form.fields["text"].widget.attrs["autofocus"] = True


def _rate_limited(request, form) -> bool:
    if over_limit(request, "follow_up") is not None:
        request.limited = True
        form.add_error("text", RATE_LIMITED)
        return True
    return False


@login_required
@limited_by("follow_up")
@require_http_methods(["GET", "POST"])
def open_thread(request, source, source_id):
    reason = find_reason(source, source_id)
    if reason is None or not permissions.may_reach_out(request.user, reason):
        raise Http404("No such reason.")
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid() and not _rate_limited(request, form):
        try:
            thread = actions.open_follow_up(request.user, reason, form.cleaned_data["text"])
        except Refused as error:
            status = refused_form(form, error, _field_of(error))
        else:
            messages.success(request, f"Sent. {reason.member.display_name} will be told.")
            return redirect(thread)
    if request.method == "POST":
        status = 429 if getattr(request, "limited", False) else max(status, 400)
    refusal = permissions.why_not_open(request.user, reason)
    _focus_first_error(form)
    return render(
        request,
        "followups/open.html",
        {
            "reason": reason,
            "reason_label": FollowUp.Reason(reason.kind).label,
            "form": form,
            "refusal": refusal,
            "no_direct_messages": permissions.NO_DIRECT_MESSAGES,
        },
        status=status,
    )


def _thread_context(request, thread, form, **extra) -> dict:
    rows = thread.messages.select_related("author")
    return {
        "thread": thread,
        "role": permissions.thread_role(request.user, thread),
        "member_name": display_name_of(thread.member),
        "reason_label": thread.get_reason_display(),
        "messages_list": [
            {
                "message": message,
                "author": display_name_of(message.author),
                "mine": message.author_id == request.user.pk,
                "can_report": permissions.can_report(request.user, message),
            }
            for message in rows
        ],
        "form": form,
        "can_reply": permissions.can_reply(request.user, thread),
        "can_close": permissions.can_close(request.user, thread),
        **extra,
    }


@login_required
@limited_by("follow_up")
@require_http_methods(["GET", "POST"])
def thread(request, pk):
    thread = permissions.get_thread_for(request.user, pk)
    form = MessageForm(request.POST or None)
    status, crisis = 200, False
    if request.method == "POST":
        status = 400
        if form.is_valid() and not _rate_limited(request, form):
            try:
                posted = actions.post_message(request.user, thread.pk, form.cleaned_data["text"])
            except Refused as error:
                status = refused_form(form, error, _field_of(error))
            except ObjectDoesNotExist:
                raise Http404("No such follow-up.") from None
            else:
                if not posted.crisis:
                    messages.success(request, "Sent.")
                    return redirect(thread)
                status, crisis, form = 200, True, MessageForm()
        elif getattr(request, "limited", False):
            status = 429
    _focus_first_error(form)
    actions.mark_read(request.user, thread)
    context = _thread_context(request, thread, form, crisis=crisis)
    if crisis:
        context["crisis_resources"] = crisis_resource_lines(thread.circle.crisis_resources_text)
    return render(request, "followups/thread.html", context, status=status)


@login_required
@require_POST
@rate_limited("follow_up")
def close(request, pk):
    thread = permissions.get_thread_for(request.user, pk)
    try:
        actions.close_follow_up(request.user, thread.pk)
    except Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "This follow-up is closed. Nobody can write in it any more.")
    return redirect(thread)


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("report")
def report(request, pk):
    message = FollowUpMessage.objects.select_related("thread__circle", "author").filter(pk=pk)
    message = message.first()
    if message is None or not permissions.can_read(request.user, message.thread):
        raise Http404("No such message.")
    if not permissions.can_report(request.user, message):
        raise PermissionDenied("You can't report this message.")
    form = ReportMessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.report_message(
                    request.user, message.pk, form.cleaned_data["reason"], form.cleaned_data["note"]
                )
            except Refused as error:
                refused_form(form, error)
            else:
                messages.success(request, "Thank you. Site staff will look at it.")
                return redirect(message.thread)
    return render(
        request,
        "followups/report.html",
        {"message": message, "author": display_name_of(message.author), "form": form},
        status=status,
    )
