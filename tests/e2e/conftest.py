"""The browser harness: a real ASGI server on a free port, driven by Debian's Chromium.

Journeys use ``transactional_db`` (data must be committed for the server process to see
it), the ``server`` fixture for its URL and mail, and ``new_page()`` for one browser
context per person.
"""

import os
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.voice_media import RECORD_PEER_CONNECTIONS, VOICE_FLAGS
from tests.servers import daphne, database_url_for_tests

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Server:
    def __init__(self, url: str, mail_dir: Path):
        self.url = url
        self.mail_dir = mail_dir

    def mail_to(self, address: str) -> list:
        """Every email sent to ``address`` so far, oldest first."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for raw in path.read_bytes().split(b"-" * 79 + b"\n"):
                if raw.strip():
                    message = message_from_bytes(raw.strip(), policy=default_policy)
                    if address in (message["To"] or ""):
                        messages.append(message)
        return messages

    def last_mail_body(self, address: str) -> str:
        mails = self.mail_to(address)
        assert mails, f"no email was sent to {address}"
        return mails[-1].get_body(preferencelist=("plain",)).get_content()


@pytest.fixture(scope="session")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    mail_dir = tmp_path_factory.mktemp("mail")
    with django_db_blocker.unblock():
        database_url = database_url_for_tests()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with daphne(
        log_path,
        database_url,
        application="tests.e2e.server_app:application",
        DJANGO_SETTINGS_MODULE="tests.e2e.server_settings",
        HEARTH_E2E_MAIL_DIR=str(mail_dir),
    ) as url:
        yield Server(url, mail_dir)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run. Browser journeys run last (see tests/conftest.py):
    Playwright's sync API keeps an event loop running in this thread until the session
    ends, so Django must be told that the ORM calls journeys make between steps are
    still plain synchronous calls."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def _page_opener(browser, base_url: str, init_script: str | None = None):
    """``(open_page, contexts)``: ``open_page(width, height)`` opens a page in a fresh
    browser context (one per person in a journey); close ``contexts`` afterwards."""
    contexts = []

    def open_page(width: int = 1024, height: int = 800):
        viewport = {"width": width, "height": height}
        context = browser.new_context(base_url=base_url, viewport=viewport)
        context.set_default_timeout(10_000)
        if init_script:
            context.add_init_script(init_script)
        contexts.append(context)
        return context.new_page()

    return open_page, contexts


@pytest.fixture
def new_page(browser, server):
    """Open a page in a fresh browser context (one per person in a journey)."""
    open_page, contexts = _page_opener(browser, server.url)
    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def voice_browser(browser):
    """A second Chromium with a fake microphone and loopback WebRTC, for voice journeys
    (it starts after ``browser``, so Playwright is already running)."""
    playwright_browser = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, *VOICE_FLAGS]
    )
    yield playwright_browser
    playwright_browser.close()


@pytest.fixture
def voice_opener(voice_browser):
    """``open(base_url)`` gives a page opener on ``base_url`` whose pages record their
    peer connections (``tests/e2e/voice_media.py`` reads their statistics)."""
    everything = []

    def opener(base_url: str):
        open_page, contexts = _page_opener(voice_browser, base_url, RECORD_PEER_CONNECTIONS)
        everything.append(contexts)
        return open_page

    yield opener
    for contexts in everything:
        for context in contexts:
            context.close()


@pytest.fixture
def new_voice_page(voice_opener, server):
    """Open a voice-ready page in a fresh browser context on the journeys' server."""
    return voice_opener(server.url)


@pytest.fixture
def page(new_page):
    return new_page()
