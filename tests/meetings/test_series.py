"""Series: rrule occurrences in the series' zone, kept at the same local time across a
daylight-saving change, and edits of one occurrence or of it and all following ones."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from hearth.refusal import Refused
from meetings import actions
from meetings.models import RSVP, Meeting, MeetingSeries
from meetings.series import occurrences

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
# Clocks in Berlin go back on Sunday 25 October 2026 (UTC+2 -> UTC+1).
FIRST = datetime(2026, 10, 12, 19, 0, tzinfo=BERLIN)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def local_times(starts):
    return [start.astimezone(BERLIN).strftime("%a %d %b %H:%M") for start in starts]


def test_a_weekly_series_stays_at_seven_local_across_the_clock_change():
    starts = occurrences(
        "weekly", FIRST, "Europe/Berlin", after=FIRST, before=datetime(2026, 11, 3, tzinfo=UTC)
    )
    assert local_times(starts) == [
        "Mon 12 Oct 19:00",
        "Mon 19 Oct 19:00",
        "Mon 26 Oct 19:00",
        "Mon 02 Nov 19:00",
    ]
    assert [start.hour for start in starts] == [17, 17, 18, 18]
    assert all(start.tzinfo == UTC for start in starts)


def test_every_two_weeks_skips_a_week():
    starts = occurrences(
        "biweekly", FIRST, "Europe/Berlin", after=FIRST, before=datetime(2026, 11, 20, tzinfo=UTC)
    )
    assert local_times(starts) == ["Mon 12 Oct 19:00", "Mon 26 Oct 19:00", "Mon 09 Nov 19:00"]


def test_monthly_keeps_the_same_weekday_of_the_month():
    second_tuesday = datetime(2026, 9, 8, 18, 30, tzinfo=BERLIN)
    starts = occurrences(
        "monthly",
        second_tuesday,
        "Europe/Berlin",
        after=second_tuesday,
        before=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert local_times(starts) == [
        "Tue 08 Sep 18:30",
        "Tue 13 Oct 18:30",
        "Tue 10 Nov 18:30",
        "Tue 08 Dec 18:30",
    ]


def test_a_fifth_weekday_becomes_the_last_one_of_each_month():
    fifth_thursday = datetime(2026, 10, 29, 20, 0, tzinfo=BERLIN)
    starts = occurrences(
        "monthly",
        fifth_thursday,
        "Europe/Berlin",
        after=fifth_thursday,
        before=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert local_times(starts) == ["Thu 29 Oct 20:00", "Thu 26 Nov 20:00", "Thu 31 Dec 20:00"]


def test_until_ends_the_series():
    until = datetime(2026, 10, 26, 0, 0, tzinfo=BERLIN)
    starts = occurrences(
        "weekly",
        FIRST,
        "Europe/Berlin",
        after=FIRST,
        before=datetime(2027, 1, 1, tzinfo=UTC),
        until=until,
    )
    assert local_times(starts) == ["Mon 12 Oct 19:00", "Mon 19 Oct 19:00"]


def schedule_series(facilitator, circle, **changes):
    draft = actions.MeetingDraft(
        title="Monday circle",
        starts_at=FIRST,
        time_zone="Europe/Berlin",
        facilitators=[facilitator],
        capacity=10,
    )
    return actions.schedule_meeting(
        facilitator, circle, draft, frequency=changes.get("frequency", "weekly"), now=NOW
    )


def series_local_times(series):
    return local_times(series.meetings.order_by("starts_at").values_list("starts_at", flat=True))


def test_scheduling_a_series_generates_occurrences_ahead(frozen, facilitator, circle):
    first = schedule_series(facilitator, circle)
    series = first.series
    assert first.starts_at == FIRST
    # Sixty days ahead of 1 October: every Monday from 12 October to 23 November.
    assert series_local_times(series) == [
        f"Mon {day} 19:00"
        for day in ["12 Oct", "19 Oct", "26 Oct", "02 Nov", "09 Nov", "16 Nov", "23 Nov"]
    ]
    assert all(
        list(meeting.facilitators.all()) == [facilitator] for meeting in series.meetings.all()
    )
    assert actions.extend_series(series, now=NOW) == 0, "extending again adds nothing"


def test_extending_later_adds_only_the_new_occurrences(frozen, facilitator, circle, time_machine):
    series = schedule_series(facilitator, circle).series
    later = datetime(2026, 10, 15, 9, 0, tzinfo=UTC)
    time_machine.move_to(later, tick=False)
    assert actions.extend_series(series, now=later) == 2
    assert Meeting.objects.filter(series=series).count() == 9


def test_editing_one_occurrence_leaves_the_others(frozen, facilitator, circle, member):
    series = schedule_series(facilitator, circle).series
    third = series.meetings.order_by("starts_at")[2]
    moved = datetime(2026, 10, 27, 19, 0, tzinfo=BERLIN)
    draft = actions.MeetingDraft(
        title="Tuesday, just this once",
        starts_at=moved,
        time_zone="Europe/Berlin",
        facilitators=[facilitator],
        capacity=10,
    )
    actions.edit_meeting(facilitator, third, draft, apply_to="this", now=NOW)
    third.refresh_from_db()
    assert third.title == "Tuesday, just this once"
    assert third.revision == 1
    assert series_local_times(series)[:4] == [
        "Mon 12 Oct 19:00",
        "Mon 19 Oct 19:00",
        "Tue 27 Oct 19:00",
        "Mon 02 Nov 19:00",
    ]
    assert actions.extend_series(series, now=NOW) == 0, "the moved one is not recreated"


def test_editing_this_and_following_moves_them_all_across_the_clock_change(
    frozen, facilitator, circle, member
):
    first = schedule_series(facilitator, circle)
    old = first.series
    second = old.meetings.order_by("starts_at")[1]
    fourth = old.meetings.order_by("starts_at")[3]
    actions.rsvp(member, fourth, "going")
    draft = actions.MeetingDraft(
        title="Monday circle, earlier",
        starts_at=datetime(2026, 10, 19, 18, 30, tzinfo=BERLIN),
        time_zone="Europe/Berlin",
        facilitators=[facilitator],
        capacity=10,
    )
    actions.edit_meeting(facilitator, second, draft, apply_to="following", now=NOW)

    first.refresh_from_db()
    assert first.series == old and first.title == "Monday circle"
    assert local_times([first.starts_at]) == ["Mon 12 Oct 19:00"]
    old.refresh_from_db()
    assert old.until == second.occurrence_start
    new = MeetingSeries.objects.exclude(pk=old.pk).get()
    assert series_local_times(new) == [
        f"Mon {day} 18:30" for day in ["19 Oct", "26 Oct", "02 Nov", "09 Nov", "16 Nov", "23 Nov"]
    ]
    assert sorted({m.starts_at.astimezone(UTC).strftime("%H:%M") for m in new.meetings.all()}) == [
        "16:30",
        "17:30",
    ]
    assert set(new.meetings.values_list("title", flat=True)) == {"Monday circle, earlier"}
    fourth.refresh_from_db()
    assert fourth.series == new and fourth.revision == 1
    assert RSVP.objects.get(meeting=fourth, user=member).response == "going"
    assert actions.extend_series(old, now=NOW) == 0
    assert actions.extend_series(new, now=NOW) == 0


def test_a_cancelled_occurrence_keeps_its_slot_when_following_ones_move(
    frozen, facilitator, circle
):
    old = schedule_series(facilitator, circle).series
    meetings = list(old.meetings.order_by("starts_at"))
    actions.cancel_meeting(facilitator, meetings[2], "Holiday", now=NOW)
    draft = actions.MeetingDraft(
        title="Monday circle",
        starts_at=datetime(2026, 10, 19, 20, 0, tzinfo=BERLIN),
        time_zone="Europe/Berlin",
        facilitators=[facilitator],
    )
    actions.edit_meeting(facilitator, meetings[1], draft, apply_to="following", now=NOW)
    meetings[3].refresh_from_db()
    assert local_times([meetings[3].starts_at]) == ["Mon 02 Nov 20:00"]
    meetings[2].refresh_from_db()
    assert meetings[2].status == "cancelled"
    assert local_times([meetings[2].starts_at]) == ["Mon 26 Oct 19:00"]


def test_cancelling_this_and_following_ends_the_series(frozen, facilitator, circle, time_machine):
    old = schedule_series(facilitator, circle).series
    meetings = list(old.meetings.order_by("starts_at"))
    assert actions.cancel_meeting(facilitator, meetings[3], "We pause", apply_to="following") == 4
    statuses = list(old.meetings.order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["scheduled"] * 3 + ["cancelled"] * 4
    later = datetime(2026, 11, 20, tzinfo=UTC)
    time_machine.move_to(later, tick=False)
    assert actions.extend_series(old, now=later) == 0


def test_the_series_rule_must_be_known(frozen, facilitator, circle):
    with pytest.raises(Refused):
        schedule_series(facilitator, circle, frequency="daily")
    assert not Meeting.objects.exists()


def test_the_hourly_task_extends_every_open_series(frozen, facilitator, circle, time_machine):
    from meetings.tasks import extend_all_series

    schedule_series(facilitator, circle)
    time_machine.move_to(datetime(2026, 10, 29, 9, 0, tzinfo=UTC), tick=False)
    assert extend_all_series() == 4
    assert extend_all_series() == 0


def test_the_edit_page_offers_this_or_following_for_a_series(frozen, client, facilitator, circle):
    second = schedule_series(facilitator, circle).series.meetings.order_by("starts_at")[1]
    client.force_login(facilitator)
    assert (
        "This and all following meetings"
        in client.get(f"/meetings/{second.pk}/edit/").content.decode()
    )
    data = {
        "title": "Monday circle",
        "facilitators": [facilitator.pk],
        "starts_at": "2026-10-19T20:00",
        "time_zone": "Europe/Berlin",
        "duration_minutes": "60",
        "capacity": "10",
        "opens_minutes_before": "10",
        "room_mode": "round",
        "turn_seconds": "180",
        "apply_to": "following",
    }
    assert client.post(f"/meetings/{second.pk}/edit/", data).status_code == 302
    new = MeetingSeries.objects.latest("pk")
    assert set(local_times(new.meetings.values_list("starts_at", flat=True))) >= {
        "Mon 19 Oct 20:00",
        "Mon 26 Oct 20:00",
    }


def test_a_series_starting_far_ahead_still_gets_its_first_meeting(frozen, facilitator, circle):
    far = datetime(2027, 6, 7, 19, 0, tzinfo=BERLIN)
    draft = actions.MeetingDraft(
        title="Summer circle", starts_at=far, time_zone="Europe/Berlin", facilitators=[facilitator]
    )
    first = actions.schedule_meeting(facilitator, circle, draft, frequency="weekly", now=NOW)
    assert first is not None and first.starts_at == far
