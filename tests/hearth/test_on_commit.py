"""After commit, never before: ``hearth.on_commit``."""

import logging

import pytest
from django.db import transaction
from django.dispatch import Signal

from hearth import groups, on_commit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(monkeypatch):
    """What reached the channel layer, as ``(group, message)``."""
    sent = []

    class Layer:
        async def group_send(self, group, message):
            sent.append((group, message))

    monkeypatch.setattr(on_commit, "get_channel_layer", Layer)
    return sent


def test_a_send_waits_for_the_commit(sent):
    with transaction.atomic():
        on_commit.send_on_commit(groups.user_group(7), {"type": "account.suspended"})
        assert sent == []
    assert sent == [("user.7", {"type": "account.suspended"})]


def test_a_rolled_back_change_sends_nothing(sent):
    with pytest.raises(RuntimeError), transaction.atomic():
        on_commit.send_on_commit(groups.room_group(3), {"type": "room.events"})
        raise RuntimeError("the change failed")
    assert sent == []


def test_a_collecting_block_keeps_the_sends_for_its_caller(sent):
    with on_commit.collecting_sends() as outbox:
        with transaction.atomic():
            on_commit.send_on_commit(groups.moderators_group(3), {"type": "room.private"})
        with pytest.raises(RuntimeError), transaction.atomic():
            on_commit.send_on_commit(groups.room_group(3), {"type": "room.events"})
            raise RuntimeError("rolled back")
    assert outbox == [("room.3.moderators", {"type": "room.private"})]
    assert sent == []


def test_a_send_that_fails_is_logged_and_the_change_stands(monkeypatch, caplog):
    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("Redis is away")

    monkeypatch.setattr(on_commit, "get_channel_layer", Broken)
    with caplog.at_level(logging.ERROR, logger="hearth"), transaction.atomic():
        on_commit.send_on_commit(groups.user_group(7), {"type": "account.suspended"})
    assert "send after commit failed group=user.7" in caplog.text


def test_a_signal_waits_for_the_commit():
    signal, heard = Signal(), []
    signal.connect(lambda sender, **kwargs: heard.append(kwargs["action"]), weak=False)
    with transaction.atomic():
        on_commit.signal_on_commit(signal, object, action="circles.member.joined")
        assert heard == []
    assert heard == ["circles.member.joined"]


def test_every_group_is_named_in_one_place():
    assert groups.room_group(3) == "room.3"
    assert groups.moderators_group(3) == "room.3.moderators"
    assert groups.participant_group(3, 9) == "room.3.participant.9"
    assert groups.user_group(7) == "user.7"
