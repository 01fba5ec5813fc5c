"""Who may do what in a circle. Views, templates, consumers and the admin all ask here.

Every function takes the user first (possibly anonymous) and never raises; the
``check_*`` helpers raise ``Refused("forbidden")`` with a message a member can read.
"""

from circles.models import Circle, Membership
from hearth.refusal import Refused


def membership_of(user, circle: Circle) -> Membership | None:
    """The user's membership, cached on the circle for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = circle.__dict__.setdefault("_membership_cache", {})
    if user.pk not in cache:
        cache[user.pk] = Membership.objects.filter(circle=circle, user=user).first()
    return cache[user.pk]


def is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff and user.is_active)


def is_active_member(user, circle: Circle) -> bool:
    membership = membership_of(user, circle)
    return membership is not None and membership.is_active


def is_banned(user, circle: Circle) -> bool:
    membership = membership_of(user, circle)
    return membership is not None and membership.state == Membership.State.BANNED


def can_view_circle(user, circle: Circle) -> bool:
    """Listed and unlisted circles can be seen by anyone with the link, except the banned."""
    return not is_banned(user, circle)


def meetings_are_public(circle: Circle) -> bool:
    """A listed circle that anyone may join or ask to join: its meetings are no secret."""
    return (
        circle.visibility == Circle.Visibility.LISTED
        and circle.join_policy != Circle.JoinPolicy.INVITE
    )


def can_view_meetings(user, circle: Circle) -> bool:
    """Who may open the circle's meetings (their pages, calendar files, rooms).

    A listed circle that anyone may join or ask to join shows its meetings to everyone
    signed in who can see it, so they know what they would join. An unlisted or
    invite-only circle is private: only its active members and site staff see its
    meetings, because meeting ids are sequential and would otherwise reveal the circle.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if is_staff(user):
        return True
    if not can_view_circle(user, circle):
        return False
    return meetings_are_public(circle) or is_active_member(user, circle)


def can_view_members(user, circle: Circle) -> bool:
    return is_active_member(user, circle) or is_staff(user)


def can_facilitate(user, circle: Circle) -> bool:
    """Facilitators and hosts run the circle's meetings."""
    membership = membership_of(user, circle)
    return membership is not None and membership.can_facilitate


def can_manage(user, circle: Circle) -> bool:
    """Hosts (and site staff) edit the circle and its membership."""
    membership = membership_of(user, circle)
    return (membership is not None and membership.is_host) or is_staff(user)


def can_moderate(user, circle: Circle) -> bool:
    """Hosts and site staff handle reports about the circle."""
    return can_manage(user, circle)


def check_manage(user, circle: Circle) -> None:
    if not can_manage(user, circle):
        raise Refused("forbidden", "Only the circle's hosts can manage it.")


# --- Added with the circle pages ------------------------------------------------------
# Each name below is one action in the permission matrix (tests/circles/test_permissions.py
# walks them all against visitor, non-member, pending, member, facilitator, host, banned
# and site staff). Full circles are not a permission question: the action says "full".

_JOINABLE_FROM = (None, Membership.State.LEFT, Membership.State.REMOVED, Membership.State.INVITED)


def can_create_circle(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_view_agreements(user, circle: Circle) -> bool:
    return can_view_circle(user, circle)


def can_join(user, circle: Circle) -> bool:
    """Join (open), ask to join (by request) or take up an invitation (invite only)."""
    if not can_create_circle(user):
        return False
    membership = membership_of(user, circle)
    state = membership.state if membership else None
    if state not in _JOINABLE_FROM:
        return False
    if circle.join_policy == Circle.JoinPolicy.INVITE:
        return state == Membership.State.INVITED
    return True


def can_leave(user, circle: Circle) -> bool:
    """Active members leave; people who asked to join can withdraw their request."""
    membership = membership_of(user, circle)
    return membership is not None and membership.state in (
        Membership.State.ACTIVE,
        Membership.State.PENDING,
    )


def can_accept_agreements(user, circle: Circle) -> bool:
    membership = membership_of(user, circle)
    return membership is not None and membership.state in (
        Membership.State.ACTIVE,
        Membership.State.PENDING,
        Membership.State.INVITED,
    )


def needs_agreement_acceptance(user, circle: Circle) -> bool:
    """An active member who has not accepted the circle's current agreements yet."""
    membership = membership_of(user, circle)
    return (
        membership is not None
        and membership.is_active
        and membership.accepted_version != circle.agreements_version
    )


def can_edit_circle(user, circle: Circle) -> bool:
    return can_manage(user, circle)


def can_manage_members(user, circle: Circle) -> bool:
    """Approve and decline requests, change roles, remove, ban and mute."""
    return can_manage(user, circle)


def can_create_invite(user, circle: Circle) -> bool:
    return can_manage(user, circle)


def check_view(user, circle: Circle) -> None:
    if not can_view_circle(user, circle):
        raise Refused("forbidden", "You can no longer see this circle.")


def is_last_host(user, circle: Circle) -> bool:
    """The user is the circle's only active host (so they can't leave or step down)."""
    membership = membership_of(user, circle)
    if membership is None or not membership.is_host:
        return False
    return not (
        Membership.objects.filter(
            circle=circle, state=Membership.State.ACTIVE, role=Membership.Role.HOST
        )
        .exclude(pk=membership.pk)
        .exists()
    )
