"""Behind a load balancer the rate limits see each person's own address, and only as far
as ``TRUSTED_PROXY_COUNT`` says: what a client writes into X-Forwarded-For itself never
becomes its address."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest
from asgiref.sync import async_to_sync
from django.test import override_settings

from hearth.proxy import ForwardedClientMiddleware, forwarded_client
from tests.servers import daphne, database_url_for_tests

PEER = ["10.0.0.2", 51000]


def headers(*values: str) -> list[tuple[bytes, bytes]]:
    return [(b"X-Forwarded-For", value.encode()) for value in values]


def test_with_no_trusted_proxy_the_header_is_ignored():
    assert forwarded_client(headers("203.0.113.7"), PEER, 0) == PEER


def test_one_proxy_gives_the_address_it_appended_not_what_the_client_wrote():
    found = forwarded_client(headers("198.51.100.1, 203.0.113.7"), PEER, 1)
    assert found == ["203.0.113.7", 0]


def test_two_proxies_give_the_address_the_outer_one_saw():
    found = forwarded_client(headers("198.51.100.1, 203.0.113.7, 10.0.0.9"), PEER, 2)
    assert found == ["203.0.113.7", 0]


def test_several_header_lines_count_as_one_list():
    found = forwarded_client(headers("198.51.100.1", "203.0.113.7"), PEER, 1)
    assert found == ["203.0.113.7", 0]


def test_a_request_that_skipped_a_proxy_keeps_its_real_peer():
    assert forwarded_client([], PEER, 1) == PEER
    assert forwarded_client(headers("203.0.113.7"), PEER, 2) == PEER


@pytest.mark.parametrize(
    ("hop", "address"),
    [("203.0.113.7:4711", "203.0.113.7"), ("[2001:db8::1]:443", "2001:db8::1"), ("::1", "::1")],
)
def test_ports_and_brackets_are_taken_off(hop, address):
    assert forwarded_client(headers(hop), PEER, 1) == [address, 0]


def test_garbage_where_an_address_should_be_keeps_the_peer():
    assert forwarded_client(headers("unknown"), PEER, 1) == PEER


@pytest.mark.parametrize("kind", ["http", "websocket"])
def test_the_middleware_sets_the_client_for_pages_and_sockets(kind):
    seen = {}

    async def app(scope, receive, send):
        seen.update(scope)

    scope = {"type": kind, "client": PEER, "headers": headers("1.1.1.1, 203.0.113.7")}
    with override_settings(TRUSTED_PROXY_COUNT=1):
        async_to_sync(ForwardedClientMiddleware(app))(scope, None, None)
    assert seen["client"] == ["203.0.113.7", 0]
    assert scope["client"] == PEER, "the server's own scope is left as it was"


# --- Through a real server: allauth's login limit (5 failures per address) --------------

TOO_MANY = "Too many failed login attempts"


class Browser:
    """A person's browser: its own cookies, and the X-Forwarded-For its requests arrive
    with (what the load balancer would pass on)."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def fail_a_login(self, email: str, forwarded_for: str) -> str:
        extra = {"X-Forwarded-For": forwarded_for}
        login = f"{self.url}/accounts/login/"
        page = self._open(urllib.request.Request(login, headers=extra))  # noqa: S310
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "login": email, "password": "not-the-password"}
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(login, data=data, headers=extra)  # noqa: S310
        return self._open(request)

    def _open(self, request) -> str:
        with self.opener.open(request, timeout=60) as response:
            return response.read().decode()


@pytest.fixture
def behind_one_proxy(transactional_db, tmp_path):
    with daphne(tmp_path / "server.log", database_url_for_tests(), TRUSTED_PROXY_COUNT="1") as url:
        yield url


@pytest.fixture
def with_no_proxy_setting(transactional_db, tmp_path):
    with daphne(tmp_path / "server.log", database_url_for_tests(), TRUSTED_PROXY_COUNT="0") as url:
        yield url


def test_behind_a_proxy_each_person_has_their_own_login_limit(behind_one_proxy):
    browser = Browser(behind_one_proxy)
    for attempt in range(5):
        # The client writes a new address of its own each time; the proxy appends the real one.
        page = browser.fail_a_login(
            f"person{attempt}@example.com", f"192.0.2.{attempt}, 203.0.113.7"
        )
        assert TOO_MANY not in page

    assert TOO_MANY in browser.fail_a_login("person9@example.com", "192.0.2.99, 203.0.113.7")
    other = Browser(behind_one_proxy)
    assert TOO_MANY not in other.fail_a_login("person9@example.com", "203.0.113.8")


def test_without_the_setting_a_forwarded_address_is_not_believed(with_no_proxy_setting):
    browser = Browser(with_no_proxy_setting)
    for attempt in range(5):
        page = browser.fail_a_login(f"person{attempt}@example.com", f"203.0.113.{attempt}")
        assert TOO_MANY not in page

    assert TOO_MANY in browser.fail_a_login("person9@example.com", "203.0.113.200")
