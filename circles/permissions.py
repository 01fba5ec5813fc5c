"""Who may do what in a circle. Views, templates, consumers and the admin all ask here.

Every function takes the user first (possibly anonymous) and never raises; the
``check_*`` helpers raise ``PermissionDenied`` with a message a member can read.
"""

from django.core.exceptions import PermissionDenied

from circles.models import Circle, Membership


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
        raise PermissionDenied("Only the circle's hosts can manage it.")
