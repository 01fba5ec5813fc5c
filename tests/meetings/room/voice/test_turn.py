"""TURN REST credentials: what coturn's use-auth-secret check accepts, and when it stops."""

import base64
import hashlib
import hmac

from meetings.room.voice.turn import credentials_for, ice_servers, sign, verify

SECRET = "a-shared-static-auth-secret"
NOW = 1_800_000_000


def test_the_username_is_the_expiry_and_a_random_id_naming_nobody():
    first = credentials_for(SECRET, NOW, 7200)
    second = credentials_for(SECRET, NOW, 7200)
    expiry, _, token = first.username.partition(":")
    assert int(expiry) == first.expires == NOW + 7200
    assert len(token) >= 16
    assert first.username != second.username


def test_the_credential_is_the_base64_hmac_sha1_of_the_username():
    found = credentials_for(SECRET, NOW, 60)
    digest = hmac.new(SECRET.encode(), found.username.encode(), hashlib.sha1).digest()
    assert found.credential == base64.b64encode(digest).decode()
    assert (
        sign(SECRET, "1800000060:abc") == "LM1QYVlAq3mtSu/AbapEYRIeEM0="
    )  # openssl dgst -sha1 -hmac


def test_fresh_credentials_pass_the_check_until_they_expire():
    found = credentials_for(SECRET, NOW, 60)
    assert verify(SECRET, found.username, found.credential, NOW)
    assert verify(SECRET, found.username, found.credential, NOW + 60)
    assert not verify(SECRET, found.username, found.credential, NOW + 61)


def test_credentials_signed_with_another_secret_or_altered_are_refused():
    found = credentials_for(SECRET, NOW, 60)
    assert not verify("another-secret", found.username, found.credential, NOW)
    later = f"{found.expires + 3600}:{found.username.split(':', 1)[1]}"
    assert not verify(SECRET, later, found.credential, NOW)
    assert not verify(SECRET, "someone:else", sign(SECRET, "someone:else"), NOW)


def test_with_turn_the_page_relays_only_through_it():
    config = ice_servers(["turn:127.0.0.1:3478?transport=udp"], SECRET, NOW, 60)
    assert config["iceTransportPolicy"] == "relay"
    (server,) = config["iceServers"]
    assert server["urls"] == ["turn:127.0.0.1:3478?transport=udp"]
    assert verify(SECRET, server["username"], server["credential"], NOW)


def test_without_turn_the_page_gets_no_servers_and_connects_directly():
    assert ice_servers([], "", NOW, 60) == {"iceServers": [], "iceTransportPolicy": "all"}
