"""One long word must never break a page: everything people write wraps at 360 px.

A word as long as each field allows (10,000 characters where nothing limits it) and a
25-character web address are planted into every field a person can write, then every page
where they appear is opened at a 360 px viewport, as each person who sees it (member,
host, facilitator in the live room, staff in the queue and the admin), and the page must
not scroll sideways: ``document.documentElement.scrollWidth <= 360``.

One server and one browser for the whole file; each test plants its own world.
"""

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from circles.actions import create_invite
from circles.invites import make_token
from circles.models import AgreementVersion, Circle, Membership, Topic
from meetings.models import RSVP, Meeting, Notification
from meetings.room.models import NudgeText, Share
from meetings.wellbeing.models import Strategy
from moderation.actions import file_report, record_safety_event, warn_member
from moderation.models import Report, SafetyEvent, Suspension
from tests.e2e.helpers import (
    enter_room,
    log_in,
    open_room_settings,
    person_action,
    use_control,
)
from tests.factories import CircleFactory, MembershipFactory, UserFactory

WIDTH = 360
LONGEST = 10_000
REMINDER = 290  # a reminder of one agreement line is at most 300 characters
URL = "https://hearth.example/x1"  # 25 characters, like a pasted link
assert len(URL) == 25

# Set HEARTH_E2E_SCREENSHOTS=/some/dir to keep a 360 px screenshot of every page checked.
SCREENSHOTS = os.environ.get("HEARTH_E2E_SCREENSHOTS")
SCREENSHOT_CLIP = {"x": 0, "y": 0, "width": WIDTH, "height": 1480}


def word(length: int, start: str = "Long") -> str:
    """One word of ``length`` letters, no space or hyphen anywhere to break at."""
    filler = "unbrokenword"
    return (start + filler * (length // len(filler) + 1))[:length]


def text(limit: int = LONGEST, start: str = "Long") -> str:
    """What a person might paste into a field of ``limit`` characters: a link, then the
    longest word that still fits."""
    if limit < 60:
        return word(limit, start)
    return f"{URL} {word(min(limit, LONGEST) - len(URL) - 1, start)}"


@dataclass
class World:
    circle: Circle
    link_circle: Circle
    meeting: Meeting
    cancelled: Meeting
    past: Meeting
    link_meeting: Meeting
    share_report: Report
    member_report: Report
    safety_event: SafetyEvent
    strategy: Strategy
    approved: Strategy
    invite_token: str
    users: dict


def plant_long_words() -> World:
    """Every field a person can write, filled to its limit with one long word."""
    now = timezone.now()
    users = {
        key: UserFactory(
            email=f"{key}@example.org",
            display_name=word(40, key.capitalize()),
            pronouns=word(40, "Pro"),
            is_staff=key == "staff",
            is_superuser=key == "staff",
        )
        for key in ("host", "facilitator", "member", "asker", "away", "staff")
    }
    topic = Topic.objects.create(name=word(60, "Topic"), slug="long-topic", description=text(200))
    circle = CircleFactory(
        name=word(80, "Circle"),
        slug="long-words",
        description=text(500),
        crisis_resources=f"Call {URL}\n{text()}",
        join_policy=Circle.JoinPolicy.REQUEST,
        agreements_version=1,
        agreements=agreements_text("Old"),
        topics=[topic],
    )
    AgreementVersion.objects.create(circle=circle, version=2, text=agreements_text("New"))
    Circle.objects.filter(pk=circle.pk).update(agreements_version=2)
    circle.refresh_from_db()
    roles = {
        "host": Membership.Role.HOST,
        "facilitator": Membership.Role.FACILITATOR,
        "member": Membership.Role.MEMBER,
    }
    for key, role in roles.items():
        # The member accepted the old agreements, so they are shown what changed.
        accepted = 1 if key == "member" else 2
        MembershipFactory(circle=circle, user=users[key], role=role, accepted_version=accepted)
    MembershipFactory(
        circle=circle,
        user=users["asker"],
        state=Membership.State.PENDING,
        reason=text(500, "Reason"),
        accepted_version=None,
    )
    NudgeText.objects.create(circle=circle, text=text(200, "Nudge"))

    def meeting(title, **fields):
        found = Meeting.objects.create(
            circle=fields.pop("in_circle", circle),
            title=title,
            description=text(2000, "About"),
            turn_seconds=120,
            **fields,
        )
        found.facilitators.add(users["facilitator"])
        RSVP.objects.create(meeting=found, user=users["member"], response=RSVP.Response.GOING)
        return found

    live = meeting(word(120, "Title"), starts_at=now - timedelta(minutes=5))
    cancelled = meeting(
        word(120, "Cancelled"),
        starts_at=now + timedelta(days=2),
        status=Meeting.Status.CANCELLED,
        cancel_reason=text(500, "Because"),
    )
    past = meeting(word(120, "Past"), starts_at=now - timedelta(days=1))
    # Even a short link is too wide for a heading at 360 px.
    link_circle = CircleFactory(name=URL, slug="link-circle", description=URL)
    MembershipFactory(circle=link_circle, user=users["member"])
    MembershipFactory(circle=link_circle, user=users["host"], role=Membership.Role.HOST)
    link_meeting = meeting(URL, in_circle=link_circle, starts_at=now + timedelta(days=1))

    said = Share.objects.create(
        meeting=past,
        share_id=1,
        participant_id=1,
        turn_id=1,
        author=users["facilitator"],
        display_name=users["facilitator"].display_name,
        text=text(4000, "Said"),
        content_warning=text(200, "Warning"),
    )
    share_report = file_report(
        users["member"],
        target=said,
        reason=Report.Reason.AT_RISK,
        note=text(1000, "Note"),
        snapshot={
            "text": said.text,
            "content_warning": said.content_warning,
            "author_display_name": said.display_name,
            "author_user_id": users["facilitator"].pk,
            "meeting_id": past.pk,
            "meeting_title": past.title,
            "created_at": said.created_at.isoformat(),
        },
        circle=circle,
    )
    member_report = file_report(
        users["facilitator"], target=users["member"], reason="other", note=text(1000, "About")
    )
    safety_event = record_safety_event(
        kind=SafetyEvent.Kind.NEED_SUPPORT,
        user=users["member"],
        circle=circle,
        meeting_id=past.pk,
        note=text(1000, "Support"),
    )
    warn_member(users["member"], users["host"], message=text(500, "Warned"), circle=circle)
    Suspension.objects.create(
        user=users["away"],
        created_by=users["staff"],
        reason=text(1000, "Suspended"),
        ends_at=now + timedelta(days=1),
    )
    Notification.objects.create(
        user=users["member"],
        meeting=live,
        kind=Notification.Kind.CHANGED,
        text=text(500, "Notified"),
        url=f"/meetings/{live.pk}/",
    )
    strategy = Strategy.objects.create(
        circle=circle, author=users["member"], text=text(500, "Strategy"), meeting=past
    )
    approved = Strategy.objects.create(
        circle=circle,
        author=users["facilitator"],
        text=text(500, "Approved"),
        state=Strategy.State.APPROVED,
        reviewed_by=users["host"],
    )
    file_report(users["member"], target=approved, reason="unsafe_advice", note=text(1000, "Unsafe"))
    return World(
        circle=circle,
        link_circle=link_circle,
        meeting=live,
        cancelled=cancelled,
        past=past,
        link_meeting=link_meeting,
        share_report=share_report,
        member_report=member_report,
        safety_event=safety_event,
        strategy=strategy,
        approved=approved,
        invite_token=make_token(create_invite(circle, users["host"])),
        users=users,
    )


def agreements_text(start: str) -> str:
    """Markdown with a long word in a heading, a list item, a link, inline code and a code
    block: every element the agreements' Markdown can make."""
    long = word(LONGEST, start)
    return (
        f"# {word(200, start + 'Heading')}\n\n"
        f"- {word(REMINDER, start + 'Remind')}\n"
        f"- {long}\n"
        f"- See {URL} and <{URL}>\n"
        f"- `{word(300, start + 'Code')}`\n\n"
        f"> {word(500, start + 'Quote')}\n\n"
        f"    {word(500, start + 'Block')}\n"
    )


# --- Measuring ---------------------------------------------------------------------------

WIDEST = """() => {
  const width = document.documentElement.scrollWidth;
  if (width <= window.innerWidth) return {width, culprit: ""};
  let culprit = "", deepest = -1;
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    let depth = 0;
    for (let node = element; node; node = node.parentElement) depth++;
    if (box.right > window.innerWidth + 1 && depth > deepest) {
      deepest = depth;
      const classes = [...element.classList].map((c) => "." + c).join("");
      culprit = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") + classes;
    }
  }
  return {width, culprit};
}"""


class Ruler:
    """Opens pages and remembers every one that scrolls sideways at 360 px."""

    def __init__(self, who: str):
        self.who = who
        self.too_wide: list[str] = []
        self.checked = 0

    def measure(self, page: Page, where: str, look_at: str = "") -> None:
        self.checked += 1
        found = page.evaluate(WIDEST)
        if found["width"] > WIDTH:
            self.too_wide.append(f"{self.who} {where}: {found['width']} px ({found['culprit']})")
        if SCREENSHOTS:
            name = f"{self.who}-{where}".strip("/").replace("/", "_").replace("?", "_")
            path = str(Path(SCREENSHOTS) / f"{name}.png")
            if look_at:
                page.locator(look_at).first.scroll_into_view_if_needed()
                page.screenshot(path=path)
            else:
                page.screenshot(path=path, full_page=True, clip=SCREENSHOT_CLIP)

    def visit(self, page: Page, *paths: str) -> None:
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status == 200, (path, response)
            self.measure(page, path)


def open_as(new_page, email: str) -> Page:
    page = new_page(width=WIDTH, height=740)
    log_in(page, email)
    return page


def without_maxlength(field):
    field.evaluate("element => element.removeAttribute('maxlength')")
    return field


def assert_nothing_too_wide(*rulers: Ruler) -> None:
    too_wide = [line for ruler in rulers for line in ruler.too_wide]
    assert sum(ruler.checked for ruler in rulers) > 0
    assert not too_wide, "These pages scroll sideways at 360 px:\n" + "\n".join(too_wide)


# --- Journeys ----------------------------------------------------------------------------


@pytest.fixture
def world(transactional_db):
    return plant_long_words()


def test_every_page_a_member_reads_wraps_long_words(world, new_page):
    member = open_as(new_page, "member@example.org")
    ruler = Ruler("member")
    slug = world.circle.slug
    ruler.visit(
        member,
        "/me/",
        "/me/circles/",
        "/me/moderation/",
        "/me/settings/",
        "/circles/",
        f"/circles/?q={world.circle.name[:20]}",
        f"/circles/{slug}/",
        f"/circles/{slug}/agreements/",
        f"/circles/{slug}/toolbox/",
        f"/circles/{slug}/toolbox/add/",
        f"/circles/{world.link_circle.slug}/",
        f"/meetings/{world.meeting.pk}/",
        f"/meetings/{world.cancelled.pk}/",
        f"/meetings/{world.past.pk}/",
        f"/meetings/{world.link_meeting.pk}/",
        f"/meetings/{world.meeting.pk}/check-in/",
        "/meetings/calendar/",
        f"/circles/{slug}/toolbox/{world.approved.pk}/report/",
        f"/moderation/report/?kind=circle&target={world.circle.pk}",
        f"/moderation/report/?kind=member&target={world.users['host'].pk}&circle={world.circle.pk}",
        "/me/settings/delete/",
    )
    # What a person typed comes back with the form's refusal (past the field's maxlength,
    # as a crafted request would send it).
    member.goto(f"/circles/{slug}/toolbox/add/")
    without_maxlength(member.get_by_label("What helps you?")).fill(word(600, "Typed"))
    member.get_by_role("button", name="Send for review").click()
    expect(member.locator(".field-errors").first).to_be_visible()
    ruler.measure(member, "toolbox/add (refused)")
    member.goto("/me/settings/")
    without_maxlength(member.get_by_label("Display name")).fill(word(41, "Typed"))
    member.get_by_role("button", name="Save settings").click()
    expect(member.locator(".field-errors").first).to_be_visible()
    ruler.measure(member, "/me/settings/ (refused)")

    # Someone who is not in the circle sees its public page.
    visitor = new_page(width=WIDTH, height=740)
    outsider = Ruler("visitor")
    outsider.visit(
        visitor,
        "/circles/",
        "/circles/?topic=long-topic",
        f"/circles/{slug}/",
        f"/circles/{slug}/agreements/",
        f"/circles/invite/{world.invite_token}/",
    )
    assert_nothing_too_wide(ruler, outsider)


def test_every_page_a_host_runs_wraps_long_words(world, new_page):
    host = open_as(new_page, "host@example.org")
    ruler = Ruler("host")
    slug = world.circle.slug
    ruler.visit(
        host,
        "/me/",
        "/me/circles/",
        f"/circles/{slug}/",
        f"/circles/{slug}/manage/",
        f"/circles/{slug}/meetings/new/",
        f"/circles/{slug}/toolbox/review/",
        f"/meetings/{world.meeting.pk}/",
        f"/meetings/{world.meeting.pk}/edit/",
        f"/meetings/{world.meeting.pk}/cancel/",
        f"/meetings/{world.past.pk}/insights/",
        "/moderation/",
        f"/moderation/reports/{world.share_report.pk}/",
    )
    # A new circle whose name is refused comes back with the name as typed.
    host.goto("/circles/new/")
    without_maxlength(host.get_by_label("Name")).fill(word(LONGEST, "Typed"))
    host.get_by_role("button", name="Create the circle").click()
    expect(host.locator(".field-errors").first).to_be_visible()
    ruler.measure(host, "/circles/new/ (refused)")
    assert_nothing_too_wide(ruler)


def test_every_page_staff_moderate_wraps_long_words_the_admin_included(world, new_page):
    staff = open_as(new_page, "staff@example.org")
    ruler = Ruler("staff")
    ruler.visit(
        staff,
        "/moderation/",
        f"/moderation/reports/{world.share_report.pk}/",
        f"/moderation/reports/{world.member_report.pk}/",
        "/moderation/log/",
        "/moderation/suspensions/",
    )
    admin_pages = [reverse("admin:index")]
    for model, pk in [
        ("circles_circle", world.circle.pk),
        ("circles_topic", world.circle.topics.get().pk),
        ("circles_membership", world.circle.memberships.get(state="pending").pk),
        ("meetings_meeting", world.meeting.pk),
        ("meetings_meeting", world.cancelled.pk),
        ("meetings_notification", Notification.objects.get().pk),
        ("members_user", world.users["member"].pk),
        ("moderation_report", world.share_report.pk),
        ("moderation_safetyevent", world.safety_event.pk),
        ("moderation_notice", world.users["member"].moderation_notices.get().pk),
        ("moderation_suspension", world.users["away"].suspensions.get().pk),
        ("moderation_moderationaction", None),
        ("meetings_nudgetext", world.circle.room_nudges.get().pk),
    ]:
        admin_pages.append(reverse(f"admin:{model}_changelist"))
        if pk is not None:
            admin_pages.append(reverse(f"admin:{model}_change", args=[pk]))
    ruler.visit(staff, *admin_pages)
    assert_nothing_too_wide(ruler)


def test_the_live_room_wraps_long_words_for_everyone_in_it(world, new_page):
    meeting = world.meeting
    size = {"width": WIDTH, "height": 740}
    facilitator = enter_room(new_page, meeting, "facilitator@example.org", **size)
    host = enter_room(new_page, meeting, "host@example.org", **size)
    member = enter_room(new_page, meeting, "member@example.org", **size)
    rulers = [Ruler("facilitator"), Ruler("host"), Ruler("member")]
    for page, ruler in zip((facilitator, host, member), rulers, strict=True):
        expect(page.locator("#seats .seat")).to_have_count(3)
        ruler.measure(page, "room (entered)")

    # The facilitator takes the piece and shares a long word behind a long warning.
    use_control(facilitator, "Start")
    holder_line = facilitator.locator("#holder-line")
    expect(holder_line).not_to_contain_text("Nobody")  # the round has begun
    if holder_line.inner_text() != "You hold the talking piece.":  # the round began elsewhere
        person_action(facilitator, world.users["facilitator"].display_name, "Give the piece")
    expect(facilitator.locator("#holder-line")).to_have_text("You hold the talking piece.")
    facilitator.get_by_label("What you'd like to share").fill(text(4000, "Shared"))
    facilitator.get_by_label("Content warning").fill(text(200, "Careful"))
    facilitator.get_by_role("button", name="Share", exact=True).click()
    # On a phone the facilitator's panel is one tap away.
    facilitator.get_by_role("button", name="Facilitator controls").click()
    open_room_settings(facilitator)
    facilitator.get_by_label("Remind everyone of an agreement").select_option(
        word(REMINDER, "NewRemind")
    )
    facilitator.get_by_role("button", name="Remind", exact=True).click()
    facilitator.locator("#panel-close").click()
    for page, ruler in zip((facilitator, host, member), rulers, strict=True):
        share = page.locator("#shares .share").first
        expect(share.locator(".share-warning-text")).to_contain_text("Careful")
        expect(page.locator("#reminder-text")).to_contain_text("NewRemind")
        ruler.measure(page, "room (a warned share, a reminder)", "#shares")
        if page is not facilitator:  # the author sees their own share without the warning
            share.get_by_role("button", name="Show this share").click()
        expect(share.locator(".share-text")).to_contain_text("Shared")
        ruler.measure(page, "room (the share shown)", "#shares")

    # The member asks for support with a long note: they see the circle's crisis
    # resources, the facilitators an alert with the note.
    member.get_by_role("button", name="I need support").click()
    member.get_by_label("Anything you'd like them to know").fill(text(1000, "Help"))
    member.get_by_role("button", name="Tell the facilitators").click()
    expect(member.locator("#support-dialog .resources")).to_contain_text(URL)
    rulers[2].measure(member, "room (crisis resources)", "#support-dialog .resources")
    for page, ruler in zip((facilitator, host), rulers[:2], strict=True):
        expect(page.locator("#support-alerts")).to_contain_text("Help")
        ruler.measure(page, "room (a support alert)", "#support-alerts")
    assert_nothing_too_wide(*rulers)
