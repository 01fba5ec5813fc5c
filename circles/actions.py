"""Every change to a circle and its memberships goes through these functions.

Each one runs in ``transaction.atomic()``, locks the circle row with ``select_for_update``
first (the member limit and the last-host rule are races otherwise), checks, changes,
writes its audit entry in that same transaction (``circles.signals.audit``, which
moderation receives), and sends ``membership_changed`` / ``circle_changed`` after commit.
A refusal raises ``hearth.refusal.Refused`` with a message a member can read, and
changes nothing. Repeating a change that already happened (a
double-clicked approve, accepting the same agreements twice) returns quietly.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from circles import permissions
from circles.invites import InvalidInvite, find_invite, read_token
from circles.models import AgreementVersion, Circle, Invite, Membership, Topic
from circles.signals import audit, circle_changed, membership_changed
from hearth.on_commit import signal_on_commit
from hearth.refusal import Refused
from members.models import User
from members.text import name_keys

__all__ = [
    "InvalidInvite",
    "accept_agreements",
    "approve_request",
    "ban_member",
    "change_role",
    "create_circle",
    "create_invite",
    "decline_request",
    "join_circle",
    "leave_circle",
    "mute_member",
    "redeem_invite",
    "remove_member",
    "revoke_invite",
    "unban_member",
    "unique_slug",
    "unmute_member",
    "update_agreements",
    "update_circle",
]

State = Membership.State
Role = Membership.Role

# Slugs that would collide with the pages under /circles/.
RESERVED_SLUGS = frozenset({"new", "invite"})
AGREEMENTS_MAX_LENGTH = 20_000
REASON_MAX_LENGTH = 500
INVITE_MIN_LIFETIME = timedelta(hours=1)
INVITE_MAX_LIFETIME = timedelta(days=30)
EDITABLE_FIELDS = (
    "name",
    "slug",
    "description",
    "language",
    "join_policy",
    "visibility",
    "retention_hours",
    "crisis_resources",
    "member_limit",
    "voice_enabled",
)


# --- Helpers (all expect to run inside the transaction) --------------------------------


def _lock(circle: Circle | int) -> Circle:
    """The circle's row, locked until the transaction ends."""
    pk = circle.pk if isinstance(circle, Circle) else circle
    try:
        return Circle.objects.select_for_update().get(pk=pk)
    except Circle.DoesNotExist:
        raise Refused("not_found", "This circle no longer exists.") from None


def _membership(circle: Circle, user) -> Membership | None:
    return Membership.objects.filter(circle=circle, user=user).select_related("user").first()


def _reload(membership: Membership, circle: Circle) -> Membership:
    """A fresh copy of ``membership``; expects the circle's lock held."""
    fresh = (
        Membership.objects.filter(pk=membership.pk, circle=circle).select_related("user").first()
    )
    if fresh is None:
        raise Refused("not_found", "That membership no longer exists.")
    fresh.circle = circle
    return fresh


def _name(membership: Membership) -> str:
    return membership.user.display_name


def _emit(
    membership: Membership, actor, action: str, reason: str = "", *, audited: bool = True
) -> None:
    """Audit the change now (inside the caller's transaction), announce it after commit.
    ``audited=False``: the caller writes its own entry (a moderation queue action)."""
    if audited:
        audit.send(
            sender=Membership,
            action=action,
            actor=actor,
            circle=membership.circle,
            membership=membership,
            reason=reason,
            extra={},
        )
    signal_on_commit(
        membership_changed,
        Membership,
        membership=membership,
        actor=actor,
        action=action,
        reason=reason,
    )


def _emit_circle(
    circle: Circle, actor, action: str, reason: str = "", extra: dict | None = None
) -> None:
    """Audit a change to the circle itself now, announce it after commit."""
    audit.send(
        sender=Circle,
        action=action,
        actor=actor,
        circle=circle,
        membership=None,
        reason=reason,
        extra=extra or {},
    )
    signal_on_commit(
        circle_changed, Circle, circle=circle, actor=actor, action=action, reason=reason
    )


# Settings whose values the audit log keeps; for the others (texts a host wrote) it keeps
# only that they changed.
LOGGED_VALUES = (
    "join_policy",
    "visibility",
    "language",
    "retention_hours",
    "member_limit",
    "voice_enabled",
)


def _settings_extra(circle: Circle, changed: list[str]) -> dict:
    return {
        "fields": changed,
        **{field: getattr(circle, field) for field in changed if field in LOGGED_VALUES},
    }


def _require_manager(actor, circle: Circle) -> None:
    """Expects a freshly locked ``circle`` (so the permission cache is fresh too)."""
    if not permissions.can_manage(actor, circle):
        raise Refused("forbidden", "Only the circle's hosts can do that.")


def _active_count(circle: Circle) -> int:
    return Membership.objects.filter(circle=circle, state=State.ACTIVE).count()


def _check_room(circle: Circle) -> None:
    """Expects the circle's lock held, so two people can't take the last place."""
    if circle.member_limit is not None and _active_count(circle) >= circle.member_limit:
        raise Refused(
            "bad_request",
            f"{circle.name} is full: it has room for {circle.member_limit} members. "
            "You could look for another circle on the same topic, or try again later.",
        )


def _check_version(circle: Circle, accepted_version) -> int:
    try:
        version = int(accepted_version)
    except (TypeError, ValueError):
        version = None
    if version != circle.agreements_version:
        raise Refused(
            "bad_request",
            "The group agreements changed while you were reading them. "
            "Please read the current version and accept it.",
        )
    return version


def _check_not_last_host(membership: Membership, circle: Circle, message: str) -> None:
    if not membership.is_host:
        return
    others = (
        Membership.objects.filter(circle=circle, state=State.ACTIVE, role=Role.HOST)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise Refused("bad_request", message)


def _clean_reason(reason, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise Refused("bad_request", "Please give a reason. It is recorded for moderation.")
    if len(reason) > REASON_MAX_LENGTH:
        raise Refused(
            "bad_request", f"Please keep the reason under {REASON_MAX_LENGTH} characters."
        )
    return reason


def _clean_agreements(text) -> str:
    text = (text or "").strip()
    if not text:
        raise Refused("bad_request", "A circle needs group agreements: write at least one.")
    if len(text) > AGREEMENTS_MAX_LENGTH:
        raise Refused(
            "bad_request", f"Please keep the agreements under {AGREEMENTS_MAX_LENGTH:,} characters."
        )
    return text


NAME_TAKEN = "There is already a circle called “{name}”, or one whose name looks just like it."


def name_is_taken(name: str, exclude_pk: int | None = None) -> bool:
    """Another circle has this name, in any case or in look-alike letters."""
    keys = name_keys(name)
    return (
        Circle.objects.filter(Q(name_key__in=keys) | Q(name_shape__in=keys))
        .exclude(pk=exclude_pk)
        .exists()
    )


def unique_slug(name: str, exclude_pk: int | None = None) -> str:
    """A slug for ``name`` that no other circle uses (``grief``, ``grief-2``...)."""
    base = slugify(name)[:70].strip("-") or "circle"
    taken = Circle.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    taken_slugs = set(taken.values_list("slug", flat=True)) | RESERVED_SLUGS
    candidate, number = base, 2
    while candidate in taken_slugs:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def _validate(circle: Circle) -> None:
    """Field checks with messages a host can act on; raises ``Refused``."""
    problems, refused = [], set()
    try:
        circle.full_clean(exclude=["topics"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            refused.add(field)
            label = Circle._meta.get_field(field).verbose_name.capitalize()
            problems += [f"{label}: {message}" for message in messages]
    if circle.slug in RESERVED_SLUGS:
        problems.append(f"The address “{circle.slug}” is reserved; please choose another.")
    # A refused value (a NUL, say) is never looked up: PostgreSQL would refuse the query.
    if "name" not in refused and name_is_taken(circle.name, exclude_pk=circle.pk):
        problems.append(NAME_TAKEN.format(name=circle.name))
    if (
        circle.slug
        and "slug" not in refused
        and Circle.objects.filter(slug=circle.slug).exclude(pk=circle.pk).exists()
    ):
        problems.append(f"The address “{circle.slug}” is taken by another circle.")
    if problems:
        raise Refused("bad_request", " ".join(problems))


def _clean_topics(topics: Iterable) -> list[Topic]:
    topics = list(topics or [])
    ids = [topic.pk if isinstance(topic, Topic) else topic for topic in topics]
    found = list(Topic.objects.filter(pk__in=ids))
    if not found or len(found) != len(set(ids)):
        raise Refused("bad_request", "Choose at least one topic from the list.")
    return found


def _save_circle(circle: Circle) -> None:
    """Save, turning a lost race on the name or address into a readable refusal."""
    try:
        with transaction.atomic():
            circle.save()
    except IntegrityError:
        raise Refused(
            "bad_request",
            "Another circle took that name or address a moment ago; please choose another.",
        ) from None


# --- The circle itself -----------------------------------------------------------------


def create_circle(user, *, name, description, topics, agreements, **fields) -> Circle:
    """Create a circle with version 1 of its agreements; ``user`` becomes its host."""
    if not permissions.can_create_circle(user):
        raise Refused("forbidden", "Log in to create a circle.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"create_circle() got unexpected fields: {', '.join(sorted(unknown))}")
    text = _clean_agreements(agreements)
    name = (name or "").strip()
    with transaction.atomic():
        circle = Circle(
            name=name,
            description=(description or "").strip(),
            created_by=user,
            agreements_version=1,
            **fields,
        )
        circle.slug = (circle.slug or "").strip() or unique_slug(name)
        _validate(circle)
        topic_list = _clean_topics(topics)
        _save_circle(circle)
        circle.topics.set(topic_list)
        AgreementVersion.objects.create(circle=circle, version=1, text=text, created_by=user)
        host = Membership.objects.create(
            circle=circle, user=user, role=Role.HOST, state=State.ACTIVE, accepted_version=1
        )
        _emit_circle(circle, user, "circles.circle.created")
        _emit(host, user, "circles.member.joined", "created")
    return circle


def update_circle(circle: Circle, actor, *, topics=None, **fields) -> Circle:
    """Edit the circle's settings (not its agreements: see ``update_agreements``)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_circle() got unexpected fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = _lock(circle)
        _require_manager(actor, locked)
        before = {field: getattr(locked, field) for field in EDITABLE_FIELDS}
        topics_before = set(locked.topics.values_list("pk", flat=True))
        for field, value in fields.items():
            if isinstance(value, str) and field != "crisis_resources":
                value = value.strip()
            setattr(locked, field, value)
        if "slug" in fields and not locked.slug:
            locked.slug = unique_slug(locked.name, exclude_pk=locked.pk)
        _validate(locked)
        topic_list = _clean_topics(topics) if topics is not None else None
        _save_circle(locked)
        if topic_list is not None:
            locked.topics.set(topic_list)
        changed = [field for field in EDITABLE_FIELDS if getattr(locked, field) != before[field]]
        if topic_list is not None and {topic.pk for topic in topic_list} != topics_before:
            changed.append("topics")
        if not changed:
            return locked
        _emit_circle(
            locked, actor, "circles.circle.updated", extra=_settings_extra(locked, changed)
        )
    return locked


def update_agreements(circle: Circle, actor, text) -> AgreementVersion:
    """Add a new version of the agreements; members are asked to accept it.

    The host who writes them has accepted them. Saving the same text again changes
    nothing and returns the current version.
    """
    text = _clean_agreements(text)
    with transaction.atomic():
        locked = _lock(circle)
        _require_manager(actor, locked)
        current = AgreementVersion.objects.filter(
            circle=locked, version=locked.agreements_version
        ).first()
        if current is not None and current.text == text:
            return current
        locked.agreements_version += 1
        locked.save(update_fields=["agreements_version"])
        version = AgreementVersion.objects.create(
            circle=locked, version=locked.agreements_version, text=text, created_by=actor
        )
        Membership.objects.filter(circle=locked, user=actor, state=State.ACTIVE).update(
            accepted_version=locked.agreements_version, updated_at=timezone.now()
        )
        circle.agreements_version = locked.agreements_version
        _emit_circle(
            locked,
            actor,
            "circles.agreements.updated",
            f"v{version.version}",
            {"version": version.version},
        )
    return version


# --- Joining and leaving ---------------------------------------------------------------


def join_circle(user, circle: Circle, *, accepted_version) -> Membership:
    """Join an open circle, ask to join one by request, or take up an invitation.

    ``accepted_version`` is the agreements version the person read and accepted; if the
    agreements changed meanwhile they are asked to read them again.
    """
    if not permissions.can_create_circle(user):
        raise Refused("forbidden", "Log in to join a circle.")
    with transaction.atomic():
        circle = _lock(circle)
        membership = _membership(circle, user)
        state = membership.state if membership else None
        if state == State.BANNED:
            raise Refused(
                "bad_request", "You can't join this circle: its hosts have banned you from it."
            )
        if state == State.ACTIVE:
            raise Refused("bad_request", "You are already a member of this circle.")
        if state == State.PENDING:
            raise Refused("bad_request", "You have already asked to join. A host will answer soon.")
        version = _check_version(circle, accepted_version)
        if circle.join_policy == Circle.JoinPolicy.INVITE and state != State.INVITED:
            raise Refused(
                "bad_request",
                "This circle is invite only. Ask one of its hosts for an invite link.",
            )
        _check_room(circle)
        if circle.join_policy == Circle.JoinPolicy.REQUEST and state != State.INVITED:
            new_state, action = State.PENDING, "circles.member.requested"
        else:
            new_state, action = State.ACTIVE, "circles.member.joined"
        membership = membership or Membership(circle=circle, user=user)
        membership.circle = circle
        membership.state = new_state
        membership.role = Role.MEMBER
        membership.accepted_version = version
        membership.reason = ""
        membership.save()
        _emit(membership, user, action)
    return membership


def accept_agreements(user, circle: Circle, version) -> Membership:
    """Record that ``user`` accepted the circle's current agreements (``version``)."""
    with transaction.atomic():
        circle = _lock(circle)
        membership = _membership(circle, user) if getattr(user, "is_authenticated", False) else None
        if membership is None or membership.state not in (
            State.ACTIVE,
            State.PENDING,
            State.INVITED,
        ):
            raise Refused("bad_request", "You are not a member of this circle.")
        version = _check_version(circle, version)
        membership.circle = circle
        if membership.accepted_version == version:
            return membership
        membership.accepted_version = version
        membership.save(update_fields=["accepted_version", "updated_at"])
        _emit(membership, user, "circles.member.agreements_accepted", f"v{version}")
    return membership


def leave_circle(user, circle: Circle) -> Membership:
    """Leave the circle, or withdraw a request to join it."""
    with transaction.atomic():
        circle = _lock(circle)
        membership = _membership(circle, user) if getattr(user, "is_authenticated", False) else None
        if membership is None or membership.state not in (State.ACTIVE, State.PENDING):
            raise Refused("bad_request", "You are not a member of this circle.")
        membership.circle = circle
        _check_not_last_host(
            membership,
            circle,
            "You are this circle's only host. Make another member a host before you leave.",
        )
        reason = "withdrew their request" if membership.state == State.PENDING else ""
        membership.state = State.LEFT
        membership.role = Role.MEMBER
        membership.save(update_fields=["state", "role", "updated_at"])
        _emit(membership, user, "circles.member.left", reason)
    return membership


# --- Requests --------------------------------------------------------------------------


def approve_request(membership: Membership, actor) -> Membership:
    with transaction.atomic():
        circle = _lock(membership.circle_id)
        _require_manager(actor, circle)
        membership = _reload(membership, circle)
        if membership.state == State.ACTIVE:
            return membership
        if membership.state != State.PENDING:
            raise Refused("bad_request", f"{_name(membership)} has no open request to join.")
        _check_room(circle)
        membership.state = State.ACTIVE
        membership.save(update_fields=["state", "updated_at"])
        _emit(membership, actor, "circles.member.approved")
    return membership


def decline_request(membership: Membership, actor) -> Membership:
    """Decline a request; the person may ask again later."""
    with transaction.atomic():
        circle = _lock(membership.circle_id)
        _require_manager(actor, circle)
        membership = _reload(membership, circle)
        if membership.state != State.PENDING:
            raise Refused("bad_request", f"{_name(membership)} has no open request to join.")
        membership.state = State.LEFT
        membership.reason = "Request declined."
        membership.save(update_fields=["state", "reason", "updated_at"])
        _emit(membership, actor, "circles.member.declined")
    return membership


# --- Roles, removal, bans, mutes -------------------------------------------------------


def change_role(membership: Membership, actor, role) -> Membership:
    if role not in Role.values:
        raise Refused("bad_request", "Choose member, facilitator or host.")
    with transaction.atomic():
        circle = _lock(membership.circle_id)
        _require_manager(actor, circle)
        membership = _reload(membership, circle)
        if not membership.is_active:
            raise Refused(
                "bad_request", f"{_name(membership)} is not an active member of this circle."
            )
        if membership.role == role:
            return membership
        if role != Role.HOST:
            _check_not_last_host(
                membership,
                circle,
                f"{_name(membership)} is the circle's only host. Make someone else a host first.",
            )
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        _emit(membership, actor, "circles.member.role_changed", f"{old} -> {role}")
        if role == Role.HOST and circle.staff_hosted_since is not None:
            circle.staff_hosted_since = None
            circle.save(update_fields=["staff_hosted_since"])
            _emit_circle(circle, actor, "circles.circle.host_found")
    return membership


# --- When a host's account is deleted --------------------------------------------------------

PASSED_TO_STAFF_REASON = "The circle's last host deleted their account."


def hosted_alone_by(user) -> list[Circle]:
    """The circles ``user`` is the only active host of (for the delete-account page)."""
    if not getattr(user, "is_authenticated", False):
        return []
    others = Membership.objects.filter(
        circle=OuterRef("pk"), state=State.ACTIVE, role=Role.HOST
    ).exclude(user=user)
    return list(
        Circle.objects.filter(
            memberships__user=user, memberships__state=State.ACTIVE, memberships__role=Role.HOST
        )
        .exclude(Exists(others))
        .order_by("name")
    )


def pass_to_staff(user) -> list[Circle]:
    """Before ``user``'s account is deleted: every circle they are the last active host of
    passes to site staff (``staff_hosted_since``), with an audit signal and an email to
    staff after commit. Runs inside the deletion's transaction (``pre_delete``) and locks
    each circle's row, so two hosts deleting their accounts at once cannot each count on
    the other staying."""
    ids = Membership.objects.filter(user=user, state=State.ACTIVE, role=Role.HOST).values(
        "circle_id"
    )
    passed = []
    for circle in _lock_circles(ids):
        if _other_hosts_exist(circle, user):
            continue
        circle.staff_hosted_since = timezone.now()
        circle.save(update_fields=["staff_hosted_since"])
        _emit_circle(circle, None, "circles.circle.passed_to_staff", PASSED_TO_STAFF_REASON)
        passed.append(circle)
    if passed:
        transaction.on_commit(partial(_tell_staff, [circle.pk for circle in passed]))
    return passed


def _lock_circles(ids) -> list[Circle]:
    """The circles' rows, locked until the transaction ends, in id order (no deadlock)."""
    return list(Circle.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _other_hosts_exist(circle: Circle, user) -> bool:
    hosts = Membership.objects.filter(circle=circle, state=State.ACTIVE, role=Role.HOST)
    return hosts.exclude(user=user).exists()


def _tell_staff(circle_ids: list[int]) -> None:
    recipients = list(
        User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True)
    )
    circles = Circle.objects.filter(pk__in=circle_ids).order_by("name")
    if not recipients or not circles:
        return
    lines = [
        f"- {circle.name}: {settings.SITE_URL}{reverse('circles:manage', args=[circle.slug])}"
        for circle in circles
    ]
    body = (
        "The last host of these circles deleted their account, so the circles are now "
        "looked after by Hearth's staff. Please make one of their members a host:\n\n"
        + "\n".join(lines)
    )
    send_mail("A circle needs a new host", body, None, recipients)


def remove_member(membership: Membership, actor, reason, *, audited: bool = True) -> Membership:
    """Remove someone from the circle; they may join again (unlike a ban).

    ``audited=False`` (here, in ``ban_member`` and ``mute_member``): the caller writes the
    audit entry itself, in the same transaction (moderation's queue, with the report)."""
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        circle = _lock(membership.circle_id)
        _require_manager(actor, circle)
        membership = _reload(membership, circle)
        if membership.state not in (State.ACTIVE, State.PENDING, State.INVITED):
            raise Refused("bad_request", f"{_name(membership)} is not a member of this circle.")
        if membership.user_id == getattr(actor, "pk", None):
            raise Refused("bad_request", "To leave the circle yourself, use “Leave this circle”.")
        _check_not_last_host(
            membership,
            circle,
            f"{_name(membership)} is the circle's only host. Make someone else a host first.",
        )
        membership.state = State.REMOVED
        membership.role = Role.MEMBER
        membership.reason = reason
        membership.save(update_fields=["state", "role", "reason", "updated_at"])
        _emit(membership, actor, "circles.member.removed", reason, audited=audited)
    return membership


def ban_member(membership: Membership, actor, reason, *, audited: bool = True) -> Membership:
    """Ban someone: they leave the circle, can't see it and can't join again."""
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        circle = _lock(membership.circle_id)
        _require_manager(actor, circle)
        membership = _reload(membership, circle)
        if membership.state == State.BANNED:
            return membership
        if membership.user_id == getattr(actor, "pk", None):
            raise Refused("bad_request", "You can't ban yourself.")
        _check_not_last_host(
            membership,
            circle,
            f"{_name(membership)} is the circle's only host. Make someone else a host first.",
        )
        membership.state = State.BANNED
        membership.role = Role.MEMBER
        membership.reason = reason
        membership.save(update_fields=["state", "role", "reason", "updated_at"])
        _emit(membership, actor, "circles.member.banned", reason, audited=audited)
    return membership


def ban_user(circle: Circle, user, actor, reason) -> Membership:
    """Ban someone who may not be a member (yet): moderation uses this for reports."""
    with transaction.atomic():
        locked = _lock(circle)
        membership, _ = Membership.objects.get_or_create(
            circle=locked, user=user, defaults={"state": State.LEFT}
        )
        return ban_member(membership, actor, reason)


def unban_member(membership: Membership, actor) -> Membership:
    """Lift a ban; the person may join again by the circle's usual rules."""
    with transaction.atomic():
        circle = _lock(membership.circle_id)
        _require_manager(actor, circle)
        membership = _reload(membership, circle)
        if membership.state != State.BANNED:
            return membership
        membership.state = State.LEFT
        membership.reason = ""
        membership.save(update_fields=["state", "reason", "updated_at"])
        _emit(membership, actor, "circles.member.unbanned")
    return membership


def mute_member(
    membership: Membership, actor, until: datetime, reason="", *, audited: bool = True
) -> Membership:
    """Mute someone in all the circle's rooms until ``until`` (an aware datetime)."""
    reason = _clean_reason(reason, required=False)
    if until is None or timezone.is_naive(until) or until <= timezone.now():
        raise Refused("bad_request", "Choose a time in the future for the mute to end.")
    with transaction.atomic():
        circle = _lock(membership.circle_id)
        _require_manager(actor, circle)
        membership = _reload(membership, circle)
        if not membership.is_active:
            raise Refused(
                "bad_request", f"{_name(membership)} is not an active member of this circle."
            )
        if membership.user_id == getattr(actor, "pk", None):
            raise Refused("bad_request", "You can't mute yourself.")
        membership.muted_until = until
        if reason:
            membership.reason = reason
        membership.save(update_fields=["muted_until", "reason", "updated_at"])
        _emit(membership, actor, "circles.member.muted", reason, audited=audited)
    return membership


def unmute_member(membership: Membership, actor) -> Membership:
    with transaction.atomic():
        circle = _lock(membership.circle_id)
        _require_manager(actor, circle)
        membership = _reload(membership, circle)
        if membership.muted_until is None:
            return membership
        membership.muted_until = None
        membership.save(update_fields=["muted_until", "updated_at"])
        _emit(membership, actor, "circles.member.unmuted")
    return membership


# --- Invites ---------------------------------------------------------------------------


def create_invite(
    circle: Circle, actor, *, expires_in: timedelta = timedelta(days=7), single_use=False
) -> Invite:
    """A new invite link; ``circles.invites.make_token(invite)`` gives its token."""
    if not INVITE_MIN_LIFETIME <= expires_in <= INVITE_MAX_LIFETIME:
        raise Refused("bad_request", "An invite link can last from one hour to 30 days.")
    with transaction.atomic():
        locked = _lock(circle)
        if not permissions.can_create_invite(actor, locked):
            raise Refused("forbidden", "Only the circle's hosts can create invite links.")
        invite = Invite.objects.create(
            circle=locked,
            created_by=actor,
            expires_at=timezone.now() + expires_in,
            single_use=bool(single_use),
        )
        _emit_circle(
            locked,
            actor,
            "circles.invite.created",
            f"invite {invite.pk}",
            extra={
                "invite_id": invite.pk,
                "expires_at": invite.expires_at.isoformat(),
                "single_use": invite.single_use,
            },
        )
    return invite


def revoke_invite(invite: Invite, actor) -> Invite:
    with transaction.atomic():
        locked = _lock(invite.circle_id)
        _require_manager(actor, locked)
        invite = Invite.objects.filter(pk=invite.pk, circle=locked).first()
        if invite is None:
            raise Refused("not_found", "That invite link no longer exists.")
        if invite.revoked_at is not None:
            return invite
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["revoked_at"])
        _emit_circle(
            locked, actor, "circles.invite.revoked", f"invite {invite.pk}", {"invite_id": invite.pk}
        )
    return invite


def redeem_invite(user, token: str, *, accepted_version) -> Membership:
    """Join through an invite link, whatever the circle's join policy.

    Raises ``InvalidInvite`` (a ``Refused``) for a tampered, expired, revoked or used
    link, and ``Refused`` for the rest (banned, already a member, full...).
    """
    if not permissions.can_create_circle(user):
        raise Refused("forbidden", "Log in to accept an invitation.")
    _, circle_id = read_token(token)
    with transaction.atomic():
        try:
            circle = _lock(circle_id)
        except Refused:
            raise InvalidInvite("tampered") from None
        invite = find_invite(token, Invite.objects.filter(circle=circle))
        membership = _membership(circle, user)
        state = membership.state if membership else None
        if state == State.BANNED:
            raise Refused(
                "bad_request", "You can't join this circle: its hosts have banned you from it."
            )
        if state == State.ACTIVE:
            raise Refused("bad_request", "You are already a member of this circle.")
        version = _check_version(circle, accepted_version)
        _check_room(circle)
        membership = membership or Membership(circle=circle, user=user)
        membership.circle = circle
        membership.state = State.ACTIVE
        membership.role = Role.MEMBER
        membership.accepted_version = version
        membership.reason = ""
        membership.save()
        invite.uses += 1
        invite.last_used_at = timezone.now()
        invite.save(update_fields=["uses", "last_used_at"])
        _emit(membership, user, "circles.member.joined", "invite")
    return membership
