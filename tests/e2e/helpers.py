"""Steps that many journeys share."""

from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD


def log_in(page: Page, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
