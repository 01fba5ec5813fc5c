"""Circle pages. Each view parses, asks ``permissions``, calls ``actions``, then renders."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circles import actions, permissions, queries
from circles.extensions import detail_panels, next_meeting_times
from circles.forms import (
    AcceptForm,
    AgreementsForm,
    CircleForm,
    DiscoveryForm,
    InviteForm,
    MuteForm,
    ReasonForm,
    RoleForm,
)
from circles.invites import InvalidInvite, find_invite, make_token
from circles.models import Circle, Membership
from hearth.ratelimits import rate_limited
from hearth.refusal import Refused
from hearth.refusal_views import refused_form, refused_redirect

PAGE_SIZE = 20
State = Membership.State


def _circle_for(user, slug) -> Circle:
    circle = get_object_or_404(Circle, slug=slug)
    permissions.check_view(user, circle)
    return circle


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "Something in the form wasn't right; please try again."


@require_GET
def discover(request):
    form = DiscoveryForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    circles = queries.listed_circles(
        request.user, text=(data.get("q") or "").strip(), topic=data.get("topic")
    )
    page = Paginator(circles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "circles/discover.html",
        {
            "form": form,
            "page": page,
            "circles": queries.attach_next_meetings(page.object_list),
            "query": query.urlencode(),
            "can_create": permissions.can_create_circle(request.user),
        },
    )


@require_GET
def detail(request, slug):
    circle = get_object_or_404(queries.with_counts(Circle.objects.all()), slug=slug)
    permissions.check_view(request.user, circle)
    user = request.user
    membership = permissions.membership_of(user, circle)
    can_manage = permissions.can_manage(user, circle)
    context = {
        "circle": circle,
        "membership": membership,
        "agreements": queries.current_agreements(circle),
        "members": queries.active_members(circle)
        if permissions.can_view_members(user, circle)
        else None,
        "next_meeting_at": next_meeting_times([circle.pk]).get(circle.pk),
        "panels": detail_panels(request, circle),
        "accept_form": AcceptForm(initial={"version": circle.agreements_version}),
        "can_join": permissions.can_join(user, circle) or not user.is_authenticated,
        "can_leave": permissions.can_leave(user, circle),
        "is_last_host": permissions.is_last_host(user, circle),
        "can_manage": can_manage,
        "needs_acceptance": permissions.needs_agreement_acceptance(user, circle),
        "is_full": circle.member_limit is not None and circle.member_count >= circle.member_limit,
        "pending_count": (
            circle.memberships.filter(state=State.PENDING).count() if can_manage else 0
        ),
    }
    return render(request, "circles/detail.html", context)


@require_GET
def agreements(request, slug):
    circle = _circle_for(request.user, slug)
    return render(
        request,
        "circles/agreements.html",
        {
            "circle": circle,
            "history": queries.agreement_history(circle),
            "needs_acceptance": permissions.needs_agreement_acceptance(request.user, circle),
            "accept_form": AcceptForm(initial={"version": circle.agreements_version}),
        },
    )


@require_POST
@rate_limited("membership")
def join(request, slug):
    circle = get_object_or_404(Circle, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(circle_url(circle))
    permissions.check_view(request.user, circle)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(circle_url(circle))
    try:
        membership = actions.join_circle(
            request.user, circle, accepted_version=form.cleaned_data["version"]
        )
    except Refused as error:
        return refused_redirect(request, error, circle_url(circle))
    if membership.state == State.PENDING:
        messages.success(request, "You asked to join. A host will look at your request soon.")
    else:
        messages.success(request, f"Welcome to {circle.name}. We're glad you're here.")
    return redirect(circle_url(circle))


@require_POST
@rate_limited("membership")
def leave(request, slug):
    circle = get_object_or_404(Circle, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(circle_url(circle))
    before = permissions.membership_of(request.user, circle)
    try:
        actions.leave_circle(request.user, circle)
    except Refused as error:
        return refused_redirect(request, error, circle_url(circle))
    if before.state == State.PENDING:
        messages.success(request, "Your request to join was withdrawn.")
    else:
        messages.success(request, f"You left {circle.name}. Take care.")
    return redirect(circle_url(circle))


@require_POST
@rate_limited("membership")
def accept(request, slug):
    circle = get_object_or_404(Circle, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(circle_url(circle))
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(circle_url(circle))
    try:
        actions.accept_agreements(request.user, circle, form.cleaned_data["version"])
    except Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Thank you for accepting the group agreements.")
    return redirect(circle_url(circle))


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("circle_create")
def create(request):
    form = CircleForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            circle = actions.create_circle(
                request.user,
                topics=form.cleaned_data["topics"],
                agreements=form.cleaned_data["agreements"],
                **form.action_fields(),
            )
        except Refused as error:
            refused_form(form, error)
        else:
            messages.success(request, f"{circle.name} is ready. You are its host.")
            return redirect(circle_url(circle))
    return render(
        request, "circles/circle_form.html", {"form": form}, status=_status(request, form)
    )


def _status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


def _manage_context(request, circle, **forms) -> dict:
    memberships = list(
        circle.memberships.exclude(state=State.LEFT)
        .select_related("user")
        .order_by(queries.ROLE_ORDER, "user__display_name")
    )
    invites = list(circle.invites.order_by("-created_at")[:50])
    for invite in invites:
        if invite.is_usable:
            invite.url = request.build_absolute_uri(
                reverse("circles:invite", args=[make_token(invite)])
            )
    return {
        "circle": circle,
        "requests": [m for m in memberships if m.state == State.PENDING],
        "members": [m for m in memberships if m.state == State.ACTIVE],
        "banned": [m for m in memberships if m.state == State.BANNED],
        "invites": invites,
        "roles": Membership.Role.choices,
        "mute_choices": MuteForm.DURATIONS,
        "now": timezone.now(),
        "settings_form": forms.get("settings_form")
        or CircleForm(instance=circle, initial={"topics": list(circle.topics.all())}),
        "agreements_form": forms.get("agreements_form")
        or AgreementsForm(
            initial={"text": getattr(queries.current_agreements(circle), "text", "")}
        ),
        "invite_form": forms.get("invite_form") or InviteForm(),
    }


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("circle_manage")
def manage(request, slug):
    circle = _circle_for(request.user, slug)
    permissions.check_manage(request.user, circle)
    if request.method == "GET":
        return render(request, "circles/manage.html", _manage_context(request, circle))
    form = CircleForm(request.POST, instance=Circle.objects.get(pk=circle.pk))
    if form.is_valid():
        try:
            circle = actions.update_circle(
                circle, request.user, topics=form.cleaned_data["topics"], **form.action_fields()
            )
        except Refused as error:
            refused_form(form, error)
        else:
            messages.success(request, "The circle's settings are saved.")
            return redirect("circles:manage", slug=circle.slug)
    context = _manage_context(request, circle, settings_form=form)
    return render(request, "circles/manage.html", context, status=400)


@login_required
@require_POST
@rate_limited("circle_manage")
def edit_agreements(request, slug):
    circle = _circle_for(request.user, slug)
    permissions.check_manage(request.user, circle)
    form = AgreementsForm(request.POST)
    if form.is_valid():
        try:
            version = actions.update_agreements(circle, request.user, form.cleaned_data["text"])
        except Refused as error:
            refused_form(form, error, "text")
        else:
            messages.success(
                request,
                f"The agreements are saved as version {version.version}. "
                "Members will be asked to accept them.",
            )
            return redirect("circles:manage", slug=circle.slug)
    context = _manage_context(request, circle, agreements_form=form)
    return render(request, "circles/manage.html", context, status=400)


def _approve(request, membership):
    actions.approve_request(membership, request.user)
    return f"{membership.user.display_name} is now a member."


def _decline(request, membership):
    actions.decline_request(membership, request.user)
    return f"You declined {membership.user.display_name}'s request."


def _role(request, membership):
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise Refused("bad_request", "Choose member, facilitator or host.")
    changed = actions.change_role(membership, request.user, form.cleaned_data["role"])
    return f"{membership.user.display_name} is now a {changed.get_role_display().lower()}."


def _reason(request) -> str:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise Refused("bad_request", _first_error(form))
    return form.cleaned_data["reason"]


def _remove(request, membership):
    actions.remove_member(membership, request.user, _reason(request))
    return f"{membership.user.display_name} was removed from the circle."


def _ban(request, membership):
    actions.ban_member(membership, request.user, _reason(request))
    return f"{membership.user.display_name} is banned from the circle."


def _unban(request, membership):
    actions.unban_member(membership, request.user)
    return f"{membership.user.display_name} is no longer banned."


def _mute(request, membership):
    form = MuteForm(request.POST)
    if not form.is_valid():
        raise Refused("bad_request", _first_error(form))
    until = timezone.now() + timedelta(hours=form.cleaned_data["hours"])
    actions.mute_member(membership, request.user, until, form.cleaned_data["reason"])
    return f"{membership.user.display_name} is muted in this circle's meetings."


def _unmute(request, membership):
    actions.unmute_member(membership, request.user)
    return f"{membership.user.display_name} can speak again."


MEMBER_ACTIONS = {
    "approve": _approve,
    "decline": _decline,
    "role": _role,
    "remove": _remove,
    "ban": _ban,
    "unban": _unban,
    "mute": _mute,
    "unmute": _unmute,
}


@login_required
@require_POST
@rate_limited("circle_manage")
def member_action(request, slug, membership_id, verb):
    if verb not in MEMBER_ACTIONS:
        raise Http404("No such action.")
    circle = _circle_for(request.user, slug)
    permissions.check_manage(request.user, circle)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, circle=circle
    )
    try:
        messages.success(request, MEMBER_ACTIONS[verb](request, membership))
    except Refused as error:
        return refused_redirect(request, error, "circles:manage", slug=circle.slug)
    return redirect("circles:manage", slug=circle.slug)


@login_required
@require_POST
@rate_limited("invites")
def create_invite(request, slug):
    circle = _circle_for(request.user, slug)
    permissions.check_manage(request.user, circle)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("circles:manage", slug=circle.slug)
    try:
        actions.create_invite(
            circle,
            request.user,
            expires_in=form.expires_in,
            single_use=form.cleaned_data["single_use"],
        )
    except Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "A new invite link is ready below. Share it privately.")
    return redirect(reverse("circles:manage", args=[circle.slug]) + "#invites")


@login_required
@require_POST
@rate_limited("invites")
def revoke_invite(request, slug, invite_id):
    circle = _circle_for(request.user, slug)
    permissions.check_manage(request.user, circle)
    invite = get_object_or_404(circle.invites, pk=invite_id)
    actions.revoke_invite(invite, request.user)
    messages.success(request, "The invite link no longer works.")
    return redirect(reverse("circles:manage", args=[circle.slug]) + "#invites")


@require_http_methods(["GET", "POST"])
@rate_limited("membership")
def invite(request, token):
    try:
        found = find_invite(token)
    except InvalidInvite as error:
        status = 400 if error.reason == "tampered" else 410
        return render(request, "circles/invite_invalid.html", {"error": error}, status=status)
    circle = found.circle
    if not permissions.can_view_circle(request.user, circle):
        messages.error(request, "You can't join this circle: its hosts have banned you from it.")
        return render(request, "circles/invite_invalid.html", {"error": None}, status=403)
    form = AcceptForm(request.POST or None, initial={"version": circle.agreements_version})
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        if form.is_valid():
            try:
                actions.redeem_invite(
                    request.user, token, accepted_version=form.cleaned_data["version"]
                )
            except InvalidInvite as error:
                return render(request, "circles/invite_invalid.html", {"error": error}, status=410)
            except Refused as error:
                return refused_redirect(request, error, request.path)
            messages.success(request, f"Welcome to {circle.name}. We're glad you're here.")
            return redirect(circle_url(circle))
    return render(
        request,
        "circles/invite.html",
        {
            "circle": circle,
            "invite": found,
            "form": form,
            "agreements": queries.current_agreements(circle),
            "membership": permissions.membership_of(request.user, circle),
        },
        status=_status(request, form),
    )


@login_required
@require_GET
def my_circles(request):
    memberships = queries.my_memberships(request.user)
    return render(
        request,
        "circles/my_circles.html",
        {
            "active": [m for m in memberships if m.state == State.ACTIVE],
            "waiting": [m for m in memberships if m.state != State.ACTIVE],
        },
    )


def my_circles_panel(request) -> dict:
    """Context for the "My circles" panel on /me/."""
    memberships = queries.my_memberships(request.user, states=(State.ACTIVE, State.PENDING))
    return {"memberships": memberships}


def circle_url(circle: Circle) -> str:
    return reverse("circles:detail", args=[circle.slug])
