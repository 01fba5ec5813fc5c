"""Steps that many journeys share."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from circles.models import Membership
from meetings.models import RSVP, Meeting
from tests.factories import TEST_PASSWORD, CircleFactory, MembershipFactory, UserFactory


def log_in(page: Page, email: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def open_meeting(circle_name: str, title: str, people, room_mode: str):
    """A circle with ``people`` (``(key, display name, circle role)``; emails are
    ``<key>@example.org``) and a meeting whose room is open now: its facilitators are the
    circle's, its members are going. Returns the meeting and the people by key."""
    circle = CircleFactory(name=circle_name)
    users = {}
    for key, name, role in people:
        users[key] = UserFactory(display_name=name, email=f"{key}@example.org")
        MembershipFactory(circle=circle, user=users[key], role=role)
    meeting = Meeting.objects.create(
        circle=circle,
        title=title,
        starts_at=timezone.now() - timedelta(minutes=5),
        turn_seconds=120,
        room_mode=room_mode,
    )
    for key, _name, role in people:
        if role == Membership.Role.FACILITATOR:
            meeting.facilitators.add(users[key])
        elif role == Membership.Role.MEMBER:
            RSVP.objects.create(meeting=meeting, user=users[key], response=RSVP.Response.GOING)
    return meeting, users


def enter_room(new_page, meeting, email: str, **size) -> Page:
    """Log in, open the meeting's room, confirm the agreements if asked, wait to connect."""
    page = new_page(**size)
    log_in(page, email)
    page.goto(f"/meetings/{meeting.pk}/room/")
    agree = page.get_by_role("button", name="I agree, for this meeting")
    if agree.count():
        agree.click()
        expect(agree).to_be_hidden()
    expect(page.locator("#connection")).to_have_text("Connected")
    return page


def person_action(page: Page, name: str, action: str) -> None:
    """A facilitator opens the menu on a person's seat in the circle and picks one action
    ("Give the piece", "Move earlier", "Move later", "Mute", "Unmute", "Remove")."""
    page.locator(f'#seats [data-seat-menu]:has(.seat-name:text-is("{name}"))').click()
    page.get_by_role("button", name=f"{action}: {name}").click()


def open_room_settings(page: Page) -> None:
    """A facilitator unfolds the panel's "Settings and gentle facilitation"."""
    details = page.locator("#facilitator-panel details.panel-more")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def use_control(page: Page, name: str) -> None:
    """A facilitator presses one of the panel's buttons: on a phone the panel is one tap
    away (and closed again afterwards), on a wide screen it is always there."""
    toggle = page.get_by_role("button", name="Facilitator controls")
    opened = toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    if opened:
        toggle.click()
    page.locator("#facilitator-panel").get_by_role("button", name=name, exact=True).click()
    if opened:
        page.locator("#panel-close").click()
