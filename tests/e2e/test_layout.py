"""The base layout at phone width and from the keyboard."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in
from tests.factories import UserFactory

PAGES = ["/", "/accounts/signup/", "/accounts/login/", "/accounts/password/reset/", "/nowhere/"]


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_fit_a_360_pixel_screen(transactional_db, new_page, path):
    page = new_page(width=360)
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_member_pages_fit_a_360_pixel_screen(transactional_db, new_page):
    UserFactory(email="narrow@example.org", display_name="Narrow Screen")
    page = new_page(width=360)
    log_in(page, "narrow@example.org")
    for path in ["/me/", "/me/settings/", "/me/settings/delete/"]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(
    transactional_db, page
):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_a_form_error_is_announced_and_focused(transactional_db, page):
    UserFactory(display_name="Taken Name")
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("someone@example.org")
    page.get_by_label("Display name").fill("taken name")
    page.get_by_label("Password", exact=True).fill("a calm evening by the lake")
    page.get_by_label("Password (again)").fill("a calm evening by the lake")
    page.get_by_role("button", name="Sign Up").click()
    name = page.get_by_label("Display name")
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(
        "Someone already uses that name, or one that looks just like it. Please choose another. "
        "The name other members see. "
        "Use a pseudonym if you like: it's never linked to your email."
    )
    expect(page.get_by_label("Email")).to_have_value("someone@example.org")
