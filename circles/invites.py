"""Invite tokens: ``django.core.signing`` over the invite's id, so links can't be forged.

Expiry lives in the row, not in the signature, so a host chooses it per link and can
see (and copy) every link that still works.

The row (``Invite``) decides whether a well-signed link still works: expired, revoked or
used-up invites are refused with a message that says which.
"""

from django.core import signing

from circles.models import Invite
from hearth.refusal import Refused

SALT = "circles.invite"


class InvalidInvite(Refused):
    """A link that can't be used. ``reason`` is one of tampered, expired, revoked, used."""

    MESSAGES = {
        "tampered": "This invite link isn't valid. Check that you copied all of it, "
        "or ask the host for a new one.",
        "expired": "This invite link has expired. Ask the host for a new one.",
        "revoked": "This invite link was withdrawn by the circle's host. "
        "Ask them for a new one if you'd still like to join.",
        "used": "This invite link has already been used. Ask the host for a new one.",
    }

    def __init__(self, reason: str, invite: Invite | None = None):
        self.reason = reason
        self.invite = invite
        super().__init__("bad_request", self.MESSAGES[reason])


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def make_token(invite: Invite) -> str:
    """The same token every time for the same invite, so hosts can copy it again later."""
    return _signer().sign_object({"i": invite.pk, "c": invite.circle_id})


def read_token(token: str) -> tuple[int, int]:
    """``(invite_id, circle_id)`` from a token, or ``InvalidInvite("tampered")``."""
    try:
        data = _signer().unsign_object(token)
        return int(data["i"]), int(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidInvite("tampered") from None


def find_invite(token: str, queryset=None) -> Invite:
    """The invite behind ``token`` if it still works; raises ``InvalidInvite`` otherwise."""
    invite_id, circle_id = read_token(token)
    queryset = queryset if queryset is not None else Invite.objects.select_related("circle")
    invite = queryset.filter(pk=invite_id, circle_id=circle_id).first()
    if invite is None:
        raise InvalidInvite("tampered")
    if invite.revoked_at is not None:
        raise InvalidInvite("revoked", invite)
    if invite.is_used_up:
        raise InvalidInvite("used", invite)
    if invite.is_expired():
        raise InvalidInvite("expired", invite)
    return invite
