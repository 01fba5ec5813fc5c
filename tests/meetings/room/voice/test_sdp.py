"""The SDP gate reads every audio section's direction the way a browser could."""

import pytest

from meetings.room.voice.sdp import (
    MediaSection,
    NotSdp,
    lets_sender_send,
    media_sections,
    other_media,
)
from tests.meetings.room.voice.sdp_samples import (
    SESSION,
    audio_section,
    data_channel_section,
    offer,
)


@pytest.mark.parametrize(
    ("direction", "sends"),
    [("sendrecv", True), ("sendonly", True), ("recvonly", False), ("inactive", False)],
)
def test_an_audio_sections_own_direction_says_whether_its_sender_sends(direction, sends):
    sections = media_sections(offer(direction))
    assert sections == [MediaSection("audio", direction)]
    assert lets_sender_send(sections) is sends


def test_a_section_without_a_direction_sends_and_receives_by_default():
    assert media_sections(offer(None)) == [MediaSection("audio", "sendrecv")]


@pytest.mark.parametrize("session_direction", ["sendonly", "recvonly", "inactive"])
def test_a_section_without_a_direction_takes_the_sessions(session_direction):
    sections = media_sections(offer(None, session_direction=session_direction))
    assert sections == [MediaSection("audio", session_direction)]


def test_a_sections_own_direction_wins_over_the_sessions():
    sections = media_sections(offer("recvonly", session_direction="sendrecv"))
    assert sections == [MediaSection("audio", "recvonly")]


def test_one_sending_section_among_several_is_enough_to_send():
    sdp = SESSION + audio_section("recvonly", 0) + audio_section("sendonly", 1)
    sections = media_sections(sdp)
    assert [s.direction for s in sections] == ["recvonly", "sendonly"]
    assert lets_sender_send(sections)


def test_directions_are_read_whatever_their_case_and_trailing_blanks():
    sdp = offer(None).replace("a=rtcp-mux\r\n", "a=SendOnly \r\na=rtcp-mux\r\n")
    assert lets_sender_send(media_sections(sdp))


def test_a_data_channel_is_media_other_than_audio():
    sections = media_sections(offer("recvonly") + data_channel_section())
    assert other_media(sections) == ["application"]
    assert other_media(media_sections(offer("recvonly"))) == []


def test_lf_only_line_ends_are_read_as_browsers_read_them():
    assert lets_sender_send(media_sections(offer("sendonly").replace("\r\n", "\n")))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        offer("recvonly").replace("a=recvonly\r\n", "a=recvonly\ra=sendrecv\r\n"),
        offer("recvonly").replace("a=recvonly", "a=recvonly\x0c"),
        offer("recvonly").replace("a=rtcp-mux", "a=sendrecv"),
    ],
)
def test_text_that_could_be_read_two_ways_is_not_sdp(text):
    with pytest.raises(NotSdp):
        media_sections(text)


def test_a_session_stating_its_direction_twice_is_not_sdp():
    with pytest.raises(NotSdp):
        media_sections(SESSION + "a=recvonly\r\na=sendrecv\r\n" + audio_section(None))
