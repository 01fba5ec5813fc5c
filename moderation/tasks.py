"""Celery tasks for moderation. The beat entry (every minute) is in docs/moderation.md."""

import logging

from celery import shared_task

from moderation import actions

logger = logging.getLogger(__name__)


@shared_task(name="moderation.tasks.end_expired_restrictions")
def end_expired_restrictions() -> dict:
    """End time-bound mutes and suspensions whose time has come, and tell the members.
    Safe to run twice at once: each row is ended under its own lock, once."""
    counts = actions.end_expired_restrictions()
    if counts["mutes"] or counts["suspensions"]:
        logger.info(
            "moderation.restrictions.ended mutes=%s suspensions=%s",
            counts["mutes"],
            counts["suspensions"],
        )
    return counts
