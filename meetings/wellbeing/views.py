"""Pages and endpoints for check-ins, insights, agreements and the toolbox.

Each view parses, asks ``permissions``, calls ``actions``, then renders or redirects. The
check-in, check-out and agreement endpoints answer JSON to ``fetch`` (the room page's
``static/js/wellbeing.js``) and redirect with a message otherwise.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles import queries as circle_queries
from circles.models import Circle
from hearth.ratelimits import rate_limited
from hearth.refusal import Refused
from hearth.refusal_views import refused_form
from meetings import permissions as meeting_permissions
from meetings.followups import queries as followup_queries
from meetings.wellbeing import actions, insights, permissions, queries
from meetings.wellbeing.forms import (
    AgreementForm,
    CheckInForm,
    ReviewForm,
    StrategyForm,
    StrategyReportForm,
    ToolboxSearchForm,
)
from meetings.wellbeing.models import SCALE, CheckIn, SavedStrategy, Strategy, StrategyHelped

PAGE_SIZE = 20
CHECK_IN_THANKS = {
    "arriving": "Thank you. Only you see your answer; you can change it until the meeting ends.",
    "leaving": "Thank you for telling us how you are leaving. Take good care tonight.",
}


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "Something in the form wasn't right; please try again."


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- Check-in and check-out -----------------------------------------------------------


def answer_value(check_in) -> str:
    """The radio value of an answer: "1".."5", "none" (rather not say), "" (none yet)."""
    if check_in is None:
        return ""
    return "none" if check_in.score is None else str(check_in.score)


def room_context(user, meeting) -> dict:
    """What the room page needs to include ``wellbeing/_check_in.html``,
    ``_check_out.html`` and ``_agreement.html``: merge it into the room's context."""
    mine = (
        {c.moment: c for c in CheckIn.objects.filter(meeting=meeting, user=user)}
        if getattr(user, "is_authenticated", False)
        else {}
    )
    return {
        "wellbeing_meeting": meeting,
        "wellbeing_arriving": mine.get(CheckIn.Moment.ARRIVING),
        "wellbeing_leaving": mine.get(CheckIn.Moment.LEAVING),
        "wellbeing_arriving_value": answer_value(mine.get(CheckIn.Moment.ARRIVING)),
        "wellbeing_leaving_value": answer_value(mine.get(CheckIn.Moment.LEAVING)),
        "wellbeing_can_check_in": permissions.can_check_in(user, meeting, "arriving"),
        "wellbeing_can_check_out": permissions.can_check_in(user, meeting, "leaving"),
        "wellbeing_check_out_offered": permissions.check_out_offered(user, meeting),
        "wellbeing_meeting_over": permissions.meeting_is_over(meeting),
        "wellbeing_needs_agreement": permissions.needs_meeting_agreement(user, meeting),
        "wellbeing_agreements": circle_queries.current_agreements(meeting.circle),
        "wellbeing_choices": CheckInForm().fields["score"].choices,
    }


def _check_in_view(request, pk, moment):
    meeting = meeting_permissions.get_meeting_for(request.user, pk)
    if not meeting_permissions.can_enter_room(request.user, meeting):
        raise PermissionDenied("Only the people in this meeting's room can answer.")
    form = CheckInForm(request.POST or None, moment=moment)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.record_check_in(
                    request.user,
                    meeting.pk,
                    moment,
                    form.chosen_score,
                    wants_check_in=form.cleaned_data["wants_check_in"],
                )
            except Refused as error:
                return _check_in_refused(
                    request, meeting, moment, form, error.message, error.status
                )
            if _wants_json(request):
                return JsonResponse({"ok": True, "message": CHECK_IN_THANKS[moment]})
            messages.success(request, CHECK_IN_THANKS[moment])
            return redirect(_safe_next(request, request.path))
        return _check_in_refused(request, meeting, moment, form, _first_error(form), 400)
    return _render_check_in(request, meeting, moment, form)


def _check_in_refused(request, meeting, moment, form, message, status):
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=status)
    if request.POST.get("next"):
        messages.error(request, message)
        return redirect(_safe_next(request, request.path))
    if not form.is_bound:  # an empty POST: nothing to attach the message to
        messages.error(request, message)
    elif not form.errors:
        form.add_error(None, message)
    return _render_check_in(request, meeting, moment, form, status=status)


def _render_check_in(request, meeting, moment, form, status=200):
    existing = CheckIn.objects.filter(meeting=meeting, user=request.user, moment=moment).first()
    if form.is_bound:
        current = form.data.get("score", "")
        wants = bool(form.data.get("wants_check_in"))
    else:
        current = answer_value(existing)
        wants = existing is not None and existing.wants_check_in
    return render(
        request,
        "wellbeing/check_in_page.html",
        {
            "meeting": meeting,
            "moment": moment,
            "form": form,
            "existing": existing,
            "current": current,
            "wants": wants,
            "choices": form.fields["score"].choices,
            "open": permissions.check_in_is_open(meeting, moment),
            "refusal": permissions.why_not_check_in(request.user, meeting, moment),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("check_in")
def check_in(request, pk):
    return _check_in_view(request, pk, CheckIn.Moment.ARRIVING)


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("check_in")
def check_out(request, pk):
    return _check_in_view(request, pk, CheckIn.Moment.LEAVING)


# --- Per-meeting agreement ----------------------------------------------------------------


@login_required
@require_POST
@rate_limited("check_in")
def agree(request, pk):
    meeting = meeting_permissions.get_meeting_for(request.user, pk)
    form = AgreementForm(request.POST)
    default = meeting.get_absolute_url()
    if not form.is_valid():
        error, status = "Please confirm the agreements shown.", 400
    else:
        try:
            actions.confirm_meeting_agreement(
                request.user, meeting.pk, form.cleaned_data["version"]
            )
        except Refused as refusal:
            error, status = refusal.message, refusal.status
        else:
            error, status = None, 200
    if _wants_json(request):
        if error:
            return JsonResponse({"ok": False, "error": error}, status=status)
        return JsonResponse({"ok": True, "message": "Thank you. Welcome in."})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Thank you for confirming the agreements. Welcome in.")
    return redirect(_safe_next(request, default))


# --- Insights -------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_insights(request, pk):
    meeting = meeting_permissions.get_meeting_for(request.user, pk)
    permissions.check_view_insights(request.user, meeting)
    context = {
        "meeting": meeting,
        "open": permissions.insights_are_open(meeting),
        "figures_ready": permissions.figures_are_ready(meeting),
        "figures_at": permissions.check_out_closes_at(meeting),
        "min_answers": insights.MIN_ANSWERS,
        "group": None,
        "follow_ups": [],
    }
    if context["open"]:
        answers = queries.answers_for(meeting)
        if context["figures_ready"]:
            context["group"] = insights.group_insights(answers)
        context["follow_ups"] = followup_queries.for_insights(request.user, meeting)
        if context["group"] is not None:
            context["rows"] = _distribution_rows(context["group"])
            context["change_size"] = abs(context["group"].average_change or 0)
    return render(request, "wellbeing/insights.html", context)


def _distribution_rows(group) -> list[dict]:
    return [
        {
            "score": score,
            "words": words,
            "arriving": group.arriving[score] if group.arriving else None,
            "leaving": group.leaving[score] if group.leaving else None,
        }
        for score, words in SCALE.items()
    ]


# --- The coping toolbox -----------------------------------------------------------------


def _toolbox_circle(user, slug) -> Circle:
    circle = get_object_or_404(Circle, slug=slug)
    permissions.check_view_toolbox(user, circle)
    return circle


def _strategy_in(circle, strategy_id, user) -> Strategy:
    strategy = (
        Strategy.objects.select_related("circle", "author")
        .filter(pk=strategy_id, circle=circle)
        .first()
    )
    if strategy is None or not permissions.can_see_strategy(user, strategy):
        raise Http404("No such strategy.")
    return strategy


@login_required
@require_GET
def toolbox(request, slug):
    circle = _toolbox_circle(request.user, slug)
    form = ToolboxSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    strategies = queries.toolbox(circle, text=data.get("q") or "", tag=data.get("tag") or "")
    page = Paginator(strategies, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [s.pk for s in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "wellbeing/toolbox.html",
        {
            "circle": circle,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "searching": bool(data.get("q") or data.get("tag")),
            "helped_ids": set(
                StrategyHelped.objects.filter(user=request.user, strategy_id__in=ids).values_list(
                    "strategy_id", flat=True
                )
            ),
            "saved_ids": set(
                SavedStrategy.objects.filter(user=request.user, strategy_id__in=ids).values_list(
                    "strategy_id", flat=True
                )
            ),
            "mine": Strategy.objects.filter(circle=circle, author=request.user).exclude(
                state=Strategy.State.APPROVED, hidden_at__isnull=True
            ),
            "can_use": permissions.can_use_toolbox(request.user, circle),
            "why_not_add": permissions.why_not_add_strategy(request.user, circle),
            "can_review": permissions.can_review_strategies(request.user, circle),
            "pending_count": queries.pending_strategies(circle).count()
            if permissions.can_review_strategies(request.user, circle)
            else 0,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("strategy")
def add_strategy(request, slug):
    circle = _toolbox_circle(request.user, slug)
    reason = permissions.why_not_add_strategy(request.user, circle)
    form = StrategyForm(request.POST or None, initial={"meeting": request.GET.get("meeting")})
    status = 200
    if request.method == "POST" and reason is None:
        if form.is_valid():
            try:
                actions.add_strategy(
                    request.user,
                    circle,
                    form.cleaned_data["text"],
                    form.cleaned_data["tag"],
                    meeting_id=form.cleaned_data["meeting"],
                )
            except Refused as error:
                refused_form(form, error)
            else:
                messages.success(
                    request,
                    "Thank you. A host or facilitator will read it before it joins the toolbox.",
                )
                return redirect("wellbeing:toolbox", slug=circle.slug)
        status = 400
    elif request.method == "POST":
        status = 403
    return render(
        request,
        "wellbeing/add_strategy.html",
        {"circle": circle, "form": form, "reason": reason},
        status=status,
    )


@login_required
@require_GET
def review(request, slug):
    circle = get_object_or_404(Circle, slug=slug)
    permissions.check_review_strategies(request.user, circle)
    return render(
        request,
        "wellbeing/review.html",
        {"circle": circle, "pending": queries.pending_strategies(circle), "form": ReviewForm()},
    )


@login_required
@require_POST
@rate_limited("moderation")
def review_decide(request, slug, strategy_id):
    circle = get_object_or_404(Circle, slug=slug)
    permissions.check_review_strategies(request.user, circle)
    strategy = _strategy_in(circle, strategy_id, request.user)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
    else:
        try:
            actions.review_strategy(
                request.user,
                strategy.pk,
                form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except Refused as error:
            messages.error(request, error.message)
        else:
            approved = form.cleaned_data["decision"] == "approve"
            messages.success(
                request,
                "Approved: it is in the toolbox now."
                if approved
                else "Declined: it stays out of the toolbox.",
            )
    return redirect("wellbeing:review", slug=circle.slug)


def _member_verb(request, slug, strategy_id, do, success: str):
    circle = _toolbox_circle(request.user, slug)
    strategy = _strategy_in(circle, strategy_id, request.user)
    try:
        do(request.user, strategy.pk)
    except Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(_safe_next(request, reverse("wellbeing:toolbox", args=[circle.slug])))


@login_required
@require_POST
@rate_limited("toolbox")
def helped(request, slug, strategy_id):
    return _member_verb(
        request, slug, strategy_id, actions.mark_helped, "Thank you: counted, without your name."
    )


@login_required
@require_POST
@rate_limited("toolbox")
def save(request, slug, strategy_id):
    return _member_verb(
        request, slug, strategy_id, actions.save_strategy, "Saved to your toolbox on My Hearth."
    )


@login_required
@require_POST
@rate_limited("toolbox")
def unsave(request, slug, strategy_id):
    return _member_verb(
        request, slug, strategy_id, actions.unsave_strategy, "Taken out of your toolbox."
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("report")
def report(request, slug, strategy_id):
    circle = _toolbox_circle(request.user, slug)
    strategy = _strategy_in(circle, strategy_id, request.user)
    form = StrategyReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.report_strategy(
                    request.user,
                    strategy.pk,
                    form.cleaned_data["reason"],
                    form.cleaned_data["note"],
                )
            except Refused as error:
                refused_form(form, error)
            else:
                messages.success(
                    request,
                    "Thank you. The circle's hosts will look at it. "
                    "The author won't know it was you.",
                )
                return redirect("wellbeing:toolbox", slug=circle.slug)
        status = 400
    return render(
        request,
        "wellbeing/report.html",
        {"circle": circle, "strategy": strategy, "form": form},
        status=status,
    )
