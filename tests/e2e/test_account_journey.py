import re

from playwright.sync_api import expect

from members.models import User


def test_a_newcomer_signs_up_confirms_sets_a_name_and_logs_in_again(transactional_db, server, page):
    page.goto("/")
    page.get_by_role("link", name="Join Hearth").first.click()
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Display name").fill("Quiet Lake")
    page.get_by_label("Password", exact=True).fill("a calm evening by the lake")
    page.get_by_label("Password (again)").fill("a calm evening by the lake")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")

    body = server.last_mail_body("newcomer@example.org")
    confirm_path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", body).group(1)
    page.goto(confirm_path)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Quiet Lake")

    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Display name").fill("Still Water")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("saved")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Log in")).to_be_visible()

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Password").fill("a calm evening by the lake")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Still Water")
    assert User.objects.get(email="newcomer@example.org").display_name == "Still Water"
