"""Every rate limit on Hearth's own forms and buttons, declared once.

Each POST a person can repeat counts against one named limit, per account (per IP
address for a visitor), on the shared cache (Redis with ``REDIS_URL``, so a limit holds
across every server process). django-ratelimit counts the hits in fixed windows.

Over the limit, nothing is changed and the person gets a calm page (HTTP 429) that says
so, keeps what they typed (every field is carried in a "Send again" form, texts shown
where they can read and copy them), and lets them send it again once the window has
passed. A request that asked for JSON gets ``{"ok": false, "error": message}`` with 429.

Use the decorator on a view, under ``login_required`` / ``require_POST``::

    @login_required
    @require_POST
    @rate_limited("rsvp")
    def rsvp(request, pk): ...

or, where a view must answer a refusal its own way (the support request still shows the
crisis resources; a follow-up keeps the message in its form), declare the limit with
``@limited_by("support")`` and ask ``over_limit(request, "support")`` in the view.
Sign-in, sign-up and password resets are limited by django-allauth
(``ACCOUNT_RATE_LIMITS``); the room's socket commands by ``meetings.room`` limits.
"""

from dataclasses import dataclass
from functools import wraps

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django_ratelimit.core import is_ratelimited

RETRY_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Limit:
    name: str
    rate: str  # django-ratelimit's "count/period", e.g. "20/10m"
    what: str  # what is counted, in words: "answers to meetings"

    @property
    def group(self) -> str:
        return f"hearth.{self.name}"

    @property
    def message(self) -> str:
        return (
            f"That's a lot of {self.what} in a short time, so Hearth is pausing them for a "
            f"little while. Nothing was changed. Please try again in {self.wait}."
        )

    @property
    def wait(self) -> str:
        seconds = self.window_seconds
        if seconds < 120:
            return "a minute"
        if seconds < 3600:
            return f"{seconds // 60} minutes"
        return "an hour" if seconds == 3600 else f"{seconds // 3600} hours"

    @property
    def window_seconds(self) -> int:
        _, period = self.rate.split("/")
        unit = period[-1]
        return int(period[:-1] or 1) * RETRY_SECONDS[unit]


def _limits(*limits: Limit) -> dict[str, Limit]:
    return {limit.name: limit for limit in limits}


LIMITS = _limits(
    # What members do again and again.
    Limit("rsvp", "20/10m", "answers to meetings"),
    Limit("membership", "20/h", "joins, leaves and agreement answers"),
    Limit("check_in", "30/10m", "check-ins"),
    Limit("toolbox", "60/10m", "toolbox taps"),
    Limit("strategy", "10/h", "toolbox suggestions"),
    Limit("report", "10/h", "reports"),
    Limit("support", "10/10m", "requests for support"),
    Limit("follow_up", "20/10m", "follow-up messages"),
    Limit("read", "120/10m", "marks as read"),
    Limit("account", "20/h", "changes to your account"),
    # What hosts, facilitators and staff do.
    Limit("circle_create", "5/h", "new circles"),
    Limit("circle_manage", "120/10m", "changes to a circle"),
    Limit("invites", "30/h", "invite links"),
    Limit("meetings", "60/h", "changes to meetings"),
    Limit("moderation", "120/10m", "moderation actions"),
)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def over_limit(request, name: str) -> Limit | None:
    """Count this request against the limit ``name``; return the limit if it is over."""
    limit = LIMITS[name]
    if is_ratelimited(
        request,
        group=limit.group,
        key="user_or_ip",
        rate=limit.rate,
        increment=True,
    ):
        return limit
    return None


KEPT_OUT = {"csrfmiddlewaretoken"}


def _typed(request) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Every field as posted (for the "Send again" form), and the ones a person wrote."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in KEPT_OUT
        for value in values
    ]
    written = [(name, value) for name, value in fields if " " in value.strip() or len(value) > 40]
    return fields, written


def _back(request) -> str:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def refuse(request, limit: Limit):
    """The answer to a request over ``limit``: a calm page, or JSON, with status 429."""
    if _wants_json(request):
        response = JsonResponse({"ok": False, "error": limit.message}, status=429)
    else:
        fields, written = _typed(request)
        response = render(
            request,
            "errors/rate_limited.html",
            {
                "limit": limit,
                "fields": fields,
                "written": written,
                "action": request.get_full_path(),
                "back": _back(request),
            },
            status=429,
        )
    response["Retry-After"] = str(limit.window_seconds)
    return response


def rate_limited(name: str):
    """Decorate a view: each POST counts against the limit ``name``; over it, ``refuse``."""
    if name not in LIMITS:
        raise KeyError(f"rate_limited: no limit named {name!r} in hearth.ratelimits.LIMITS")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                limit = over_limit(request, name)
                if limit is not None:
                    return refuse(request, limit)
            return view(request, *args, **kwargs)

        wrapper.rate_limit = LIMITS[name]
        return wrapper

    return decorator


def limited_by(name: str):
    """Declare that a view counts its POSTs against the limit ``name`` itself, with
    ``over_limit``, and answers a refusal its own way."""
    if name not in LIMITS:
        raise KeyError(f"limited_by: no limit named {name!r} in hearth.ratelimits.LIMITS")

    def decorator(view):
        view.rate_limit = LIMITS[name]
        return view

    return decorator
