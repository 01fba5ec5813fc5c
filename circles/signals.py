"""Signals circles sends so that higher apps (moderation's audit log) can react.

``membership_changed(sender=Membership, membership, actor, action, reason)`` is sent after
commit of every change a host or the member makes. ``action`` is a dotted name such as
``circles.member.joined``, ``circles.member.approved``, ``circles.member.declined``,
``circles.member.left``, ``circles.member.role_changed``, ``circles.member.removed``,
``circles.member.banned``, ``circles.member.unbanned``.
"""

from django.dispatch import Signal

membership_changed = Signal()
