"""Every change a member makes to their own account goes through here."""

import logging

from django.db import transaction

from members.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def delete_account(user: User) -> None:
    """Remove the member and their personal data at once.

    Models that hold what they said point at the user with ``on_delete=SET_NULL`` and
    show "a former member" from then on; their sessions stop working because the user
    no longer exists.
    """
    user_id = user.pk
    user.delete()
    logger.info("members.account.deleted user_id=%s", user_id)
