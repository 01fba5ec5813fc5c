"""Signals circles sends so that higher apps (moderation's audit log, meetings) can react.

``audit(sender, action, actor, circle, membership, reason, extra)`` is sent INSIDE the
transaction of every change ``circles.actions`` makes, so that moderation writes the audit
entry in that same transaction: the change and its entry commit or roll back together.
``membership`` is None for changes to the circle itself; ``extra`` is JSON (never a text a
member wrote). A moderation queue action that restricts a member passes ``audited=False``
to circles' action and writes its own entry (with the report) instead.

``membership_changed`` and ``circle_changed`` are sent after commit, never before: from
``circles.actions``, and from moderation when a mute runs out (``circles.member.unmuted``
with ``actor=None``). They carry side effects (meetings gives up places, rooms follow a
mute), not the audit log.

``membership_changed(sender=Membership, membership, actor, action, reason)`` for every
change a host or the member makes. ``action`` is one of:

- ``circles.member.joined``: joined an open circle, was invited in, or created the circle
  (``reason`` is ``"invite"`` when an invite link was used, ``"created"`` for the founder)
- ``circles.member.requested``: asked to join a circle by request
- ``circles.member.approved`` / ``circles.member.declined``: a host answered a request
- ``circles.member.left``: left the circle, or withdrew a request
- ``circles.member.agreements_accepted``: accepted the current group agreements
- ``circles.member.role_changed``: ``reason`` is ``"member -> host"`` and so on
- ``circles.member.removed``, ``circles.member.banned``: ``reason`` is the host's reason
- ``circles.member.unbanned``
- ``circles.member.muted`` / ``circles.member.unmuted``

``circle_changed(sender=Circle, circle, actor, action, reason)`` for changes to the circle
itself: ``circles.circle.created``, ``circles.circle.updated`` (``extra["fields"]`` names
what changed, with the new values of join policy, visibility, language, retention and
member limit; only when something changed), ``circles.agreements.updated`` (``reason`` is
``"v3"``), ``circles.invite.created``, ``circles.invite.revoked``.
"""

from django.dispatch import Signal

audit = Signal()
membership_changed = Signal()
circle_changed = Signal()

MEMBERSHIP_ACTIONS = frozenset(
    {
        "circles.member.joined",
        "circles.member.requested",
        "circles.member.approved",
        "circles.member.declined",
        "circles.member.left",
        "circles.member.agreements_accepted",
        "circles.member.role_changed",
        "circles.member.removed",
        "circles.member.banned",
        "circles.member.unbanned",
        "circles.member.muted",
        "circles.member.unmuted",
    }
)
CIRCLE_ACTIONS = frozenset(
    {
        "circles.circle.created",
        "circles.circle.updated",
        "circles.agreements.updated",
        "circles.invite.created",
        "circles.invite.revoked",
    }
)
