"""Read-side helpers: the querysets the pages use, each a fixed number of SQL queries.

Member counts are annotated, topics prefetched, and next meeting times fetched for a
whole page of circles at once through ``circles.extensions.next_meeting_times``.
"""

import difflib
from collections.abc import Iterable

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from circles.extensions import next_meeting_times
from circles.models import AgreementVersion, Circle, Membership, Topic

ACTIVE = Membership.State.ACTIVE
ROLE_ORDER = Case(
    When(role=Membership.Role.HOST, then=Value(0)),
    When(role=Membership.Role.FACILITATOR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def with_counts(circles: QuerySet) -> QuerySet:
    return circles.annotate(
        member_count=Count("memberships", filter=Q(memberships__state=ACTIVE), distinct=True)
    ).prefetch_related("topics")


def listed_circles(user, *, text: str = "", topic: Topic | None = None) -> QuerySet:
    """Circles for discovery: listed ones, minus any the viewer is banned from."""
    circles = Circle.objects.filter(visibility=Circle.Visibility.LISTED)
    if getattr(user, "is_authenticated", False):
        banned = Membership.objects.filter(user=user, state=Membership.State.BANNED)
        circles = circles.exclude(pk__in=banned.values("circle_id"))
    if text:
        circles = circles.filter(Q(name__icontains=text) | Q(description__icontains=text))
    if topic is not None:
        circles = circles.filter(pk__in=topic.circles.values("pk"))
    return with_counts(circles).order_by("name")


def attach_next_meetings(circles: Iterable[Circle]) -> list[Circle]:
    """Set ``next_meeting_at`` on each circle (None if it has none) in one batch."""
    circles = list(circles)
    times = next_meeting_times(circle.pk for circle in circles)
    for circle in circles:
        circle.next_meeting_at = times.get(circle.pk)
    return circles


def active_members(circle: Circle) -> list[Membership]:
    """Display names and roles for the member list: hosts, then facilitators, then A-Z."""
    return list(
        circle.memberships.filter(state=ACTIVE)
        .select_related("user")
        .only("id", "role", "state", "circle_id", "user__id", "user__display_name")
        .order_by(ROLE_ORDER, "user__display_name")
    )


def current_agreements(circle: Circle) -> AgreementVersion | None:
    return circle.agreement_versions.filter(version=circle.agreements_version).first()


def agreement_history(circle: Circle) -> list[dict]:
    """Every version, newest first, with the lines added and removed since the one before."""
    versions = list(circle.agreement_versions.order_by("version").select_related("created_by"))
    history, previous = [], None
    for version in versions:
        added = removed = []
        if previous is not None:
            diff = list(difflib.ndiff(previous.text.splitlines(), version.text.splitlines()))
            added = [line[2:] for line in diff if line.startswith("+ ") and line[2:].strip()]
            removed = [line[2:] for line in diff if line.startswith("- ") and line[2:].strip()]
        history.append({"version": version, "added": added, "removed": removed})
        previous = version
    return history[::-1]


def my_memberships(user, states=(ACTIVE, Membership.State.PENDING, Membership.State.INVITED)):
    """The user's memberships with circles, counts and next meetings (fixed queries)."""
    memberships = list(
        Membership.objects.filter(user=user, state__in=states)
        .select_related("circle")
        .order_by("circle__name")
    )
    circles = with_counts(Circle.objects.filter(pk__in=[m.circle_id for m in memberships]))
    by_id = {circle.pk: circle for circle in attach_next_meetings(circles)}
    for membership in memberships:
        membership.circle = by_id[membership.circle_id]
    return memberships
