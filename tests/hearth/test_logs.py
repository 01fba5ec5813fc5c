"""Structured logs: one JSON line a request and a room command, never what people wrote."""

import json
import logging

import pytest
from django.conf import settings
from django.urls import reverse

from hearth.logs import JsonFormatter
from meetings.room import rules, store
from meetings.room.commands import Actor, NeedSupport, Start
from moderation.models import Report
from tests.moderation.room_sockets import live_room

pytestmark = pytest.mark.django_db

SECRET_SHARE = "my brother's name is Zebulon and I miss him every morning"
SECRET_NOTE = "Quillfeather keeps messaging me after meetings"


def lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def test_a_record_becomes_one_line_of_json_with_its_fields():
    record = logging.makeLogRecord(
        {"name": "hearth.x", "levelno": 20, "levelname": "INFO", "msg": "a.b", "seq": 3}
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["event"], entry["level"], entry["logger"], entry["seq"]) == (
        "a.b",
        "INFO",
        "hearth.x",
        3,
    )


def test_a_traceback_stays_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), exc_info=__import__("sys").exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_the_settings_send_every_logger_through_the_json_formatter_once():
    logging_config = settings.LOGGING
    assert logging_config["formatters"]["json"]["()"] == "hearth.logs.JsonFormatter"
    assert logging_config["root"]["handlers"] == ["console"]
    # Django's own loggers print nothing themselves: they reach the root handler, once.
    assert logging_config["loggers"]["django"]["handlers"] == []
    assert "hearth.logs.RequestLogMiddleware" in settings.MIDDLEWARE


def test_each_request_is_one_line_with_its_route_ids_status_and_duration(
    client, caplog, member, circle
):
    client.force_login(member)
    with caplog.at_level(logging.INFO):
        client.get(reverse("circles:detail", args=[circle.slug]))
        client.get(reverse("meetings:detail", args=[999999]))
    requests = [line for line in lines(caplog) if line["event"] == "http.request"]
    assert [(line["route"], line["status"], line["user_id"]) for line in requests] == [
        ("circles/<slug:slug>/", 200, member.pk),
        ("meetings/<int:pk>/", 404, member.pk),
    ]
    assert requests[1]["ids"] == {"pk": 999999}
    assert all(line["duration_ms"] >= 0 for line in requests)


def test_a_refusal_is_one_line_without_a_traceback(client, caplog, member, circle):
    client.force_login(member)
    with caplog.at_level(logging.INFO):
        client.get(reverse("circles:manage", args=[circle.slug]))
    assert [line["status"] for line in lines(caplog)] == [403]
    assert not any(record.exc_info for record in caplog.records)


def test_a_token_in_the_path_is_never_logged(client, caplog):
    token = "Zq" * 20
    with caplog.at_level(logging.INFO):
        client.get(f"/meetings/feed/{token}.ics?search=Quillfeather")
    logged = [caplog.text, *map(json.dumps, lines(caplog))]
    assert lines(caplog)[-1]["route"] == "meetings/feed/<str:token>.ics"
    assert not any(token in text or "Quillfeather" in text for text in logged)


def test_a_room_command_is_one_line_with_meeting_seq_command_outcome_and_duration(
    caplog, circle, facilitator, member, other_member
):
    with caplog.at_level(logging.INFO, logger="hearth.room"):
        meeting = live_room(circle, facilitator, member, other_member, text="Hello")
        with pytest.raises(rules.Refused) as refused:
            store.execute(meeting.pk, Actor(3), Start(), user=other_member)
    commands = [line for line in lines(caplog) if line["event"] == "room.command"]
    assert [(line["command"], line["outcome"], line["seq"]) for line in commands][-3:] == [
        ("Start", "ok", commands[-2]["seq"] - 1),
        ("Share", "ok", commands[-2]["seq"]),
        ("Start", refused.value.code, None),
    ]
    assert {line["meeting_id"] for line in commands} == {meeting.pk}
    assert all("duration_ms" in line for line in commands)


def test_a_planted_share_and_note_appear_in_no_log_line(
    client, caplog, circle, facilitator, member, other_member
):
    with caplog.at_level(logging.DEBUG):
        meeting = live_room(circle, facilitator, member, other_member, text=SECRET_SHARE)
        store.execute(meeting.pk, Actor(3), NeedSupport(note=SECRET_NOTE), user=other_member)
        client.force_login(other_member)
        client.post(
            reverse("moderation:report"),
            {"kind": "member", "target": member.pk, "reason": "harassment", "note": SECRET_NOTE},
        )
        client.get(reverse("room:room", args=[meeting.pk]))
    assert Report.objects.get().note == SECRET_NOTE  # it was really written
    logged = [caplog.text, *map(json.dumps, lines(caplog))]
    assert len(caplog.records) > 5
    for word in ("Zebulon", "Quillfeather"):
        assert not any(word in text for text in logged), word
