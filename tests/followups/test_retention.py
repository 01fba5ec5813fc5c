"""Closed threads are kept for the retention setting's days, then purged by the beat task
that purges shares; a reported message's snapshot outlives the purge."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from meetings.followups import actions
from meetings.followups.models import FollowUp, FollowUpMessage
from meetings.room.tasks import purge_expired_shares
from moderation.models import ModerationAction, Report

PLANTED = "planted-string-7f3a the words I wrote"


def _everything_but_reports() -> str:
    rows = [str(list(FollowUpMessage.objects.values_list("text", flat=True)))]
    rows += [str(list(ModerationAction.objects.values("reason", "extra")))]
    return " ".join(rows)


def test_a_closed_thread_is_purged_after_its_retention_and_only_the_report_keeps_the_text(
    settings, facilitator, member, thread
):
    settings.HEARTH_FOLLOW_UP_RETENTION_DAYS = 30
    posted = actions.post_message(member, thread.pk, PLANTED)
    actions.report_message(facilitator, posted.message.pk, "other")
    actions.close_follow_up(member, thread.pk)
    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        purge_expired_shares()
    assert FollowUp.objects.filter(pk=thread.pk).exists()
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1), tick=False):
        purge_expired_shares()
    assert not FollowUp.objects.filter(pk=thread.pk).exists()
    assert not FollowUpMessage.objects.exists()
    assert PLANTED not in _everything_but_reports()
    assert Report.objects.get().snapshot["text"] == PLANTED


def test_an_open_thread_is_kept(settings, thread):
    settings.HEARTH_FOLLOW_UP_RETENTION_DAYS = 1
    with time_machine.travel(timezone.now() + timedelta(days=90), tick=False):
        purge_expired_shares()
    assert FollowUp.objects.filter(pk=thread.pk).exists()


def test_the_purge_is_safe_to_run_twice(member, thread):
    actions.close_follow_up(member, thread.pk)
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert actions.purge_closed_follow_ups() > 0
        assert actions.purge_closed_follow_ups() == 0
