"""A host turns voice on for their circle with the keyboard, and the circle says so."""

import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from circles import actions
from circles.models import Circle, Topic
from tests.e2e.helpers import log_in
from tests.factories import UserFactory

FITS = "document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = os.environ.get("HEARTH_SCREENSHOTS")  # a folder to keep screenshots in, when set


def serious_violations(page):
    results = Axe().run(page)
    return [
        v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]


def test_a_host_turns_voice_on_and_the_circle_page_says_only_the_holder_is_heard(
    transactional_db, new_page
):
    host = UserFactory(email="host@example.org", display_name="River")
    topic = Topic.objects.get_or_create(slug="grief-and-loss", defaults={"name": "Grief"})[0]
    actions.create_circle(
        host,
        name="Evening grief circle",
        description="A small circle that meets every week.",
        topics=[topic],
        agreements="- We listen without fixing.",
    )
    for width, height in ((1280, 800), (360, 740)):
        page = new_page(width=width, height=height)
        log_in(page, "host@example.org")
        page.goto("/circles/evening-grief-circle/manage/")
        voice = page.get_by_label("Voice in the talking circle")
        expect(voice).not_to_be_checked()
        voice.focus()
        page.keyboard.press("Space")
        expect(voice).to_be_checked()
        assert page.evaluate(FITS)
        assert serious_violations(page) == []
        if SHOTS:
            voice.scroll_into_view_if_needed()
            page.screenshot(path=str(Path(SHOTS) / f"voice-setting-{width}.png"))
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_label("Voice in the talking circle")).to_be_checked()
        assert Circle.objects.get(slug="evening-grief-circle").voice_enabled is True
        page.goto("/circles/evening-grief-circle/")
        expect(page.locator(".circle-facts")).to_contain_text(
            "only the person holding the talking piece can be heard, and nothing is recorded"
        )
        assert page.evaluate(FITS)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"voice-circle-{width}.png"))
        Circle.objects.filter(slug="evening-grief-circle").update(voice_enabled=False)
