"""Circles in the browser: finding a circle by topic, joining it, and a host at work."""

from playwright.sync_api import expect

from circles import actions
from circles.invites import make_token
from circles.models import Circle, Membership, Topic
from tests.e2e.helpers import log_in
from tests.factories import UserFactory

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def _topic(slug, name):
    # Journeys flush the database after each test, so the seeded topics may be gone.
    return Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def _circle(host, name, topic, **fields):
    return actions.create_circle(
        host,
        name=name,
        description=f"{name}: a small circle that meets every week.",
        topics=[topic],
        agreements="- **We listen without fixing.**\n- What is said here stays here.",
        **fields,
    )


def test_a_newcomer_finds_a_circle_by_topic_reads_the_agreements_and_joins(
    transactional_db, new_page
):
    host = UserFactory(display_name="River")
    _circle(host, "Evening grief circle", _topic("grief-and-loss", "Grief and loss"))
    _circle(host, "Anxious mornings", _topic("anxiety", "Anxiety"))
    UserFactory(email="newcomer@example.org", display_name="Quiet Lake")

    page = new_page(width=360)
    log_in(page, "newcomer@example.org")
    page.goto("/circles/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a circle")
    assert page.evaluate(FITS)

    page.get_by_label("Topic").select_option(label="Grief and loss")
    page.get_by_role("button", name="Show circles").click()
    expect(page.get_by_role("heading", name="1 circle")).to_be_visible()
    expect(page.get_by_role("link", name="Anxious mornings")).to_have_count(0)
    page.get_by_role("link", name="Evening grief circle").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Evening grief circle")
    expect(page.get_by_role("heading", name="Group agreements")).to_be_visible()
    expect(page.get_by_text("We listen without fixing.")).to_be_visible()
    expect(page.get_by_text("River")).to_have_count(0)  # no names before joining
    assert page.evaluate(FITS)

    # Accept and join with the keyboard only.
    join = page.get_by_role("button", name="Join this circle")
    join.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Please read the agreements and tick the box")).to_be_visible()
    tick = page.get_by_label("I have read the group agreements and I accept them.")
    tick.focus()
    page.keyboard.press("Space")
    expect(tick).to_be_checked()
    page.keyboard.press("Tab")
    expect(join).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Welcome to Evening grief circle")
    expect(page.get_by_role("heading", name="You are a member here")).to_be_visible()
    members = page.get_by_role("list").filter(has_text="River")
    expect(members).to_contain_text("Quiet Lake")
    assert page.evaluate(FITS)
    joined = Membership.objects.get(user__email="newcomer@example.org")
    assert (joined.state, joined.accepted_version) == ("active", 1)

    page.goto("/me/circles/")
    expect(page.get_by_role("link", name="Evening grief circle")).to_be_visible()
    assert page.evaluate(FITS)


def test_someone_asks_to_join_and_a_host_approves_on_the_manage_page(transactional_db, new_page):
    host = UserFactory(email="host@example.org", display_name="River")
    circle = _circle(
        host,
        "Recovery mornings",
        _topic("addiction-recovery", "Addiction recovery"),
        join_policy=Circle.JoinPolicy.REQUEST,
    )
    UserFactory(email="jo@example.org", display_name="Jo")

    asker = new_page()
    log_in(asker, "jo@example.org")
    asker.goto(f"/circles/{circle.slug}/")
    asker.get_by_label("I have read the group agreements and I accept them.").check()
    asker.get_by_role("button", name="Ask to join").click()
    expect(asker.get_by_role("status")).to_contain_text("A host will look at your request")
    expect(asker.get_by_role("heading", name="You asked to join")).to_be_visible()

    page = new_page(width=360)
    log_in(page, "host@example.org")
    page.goto(f"/circles/{circle.slug}/")
    page.get_by_role("link", name="Manage this circle (1 request)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage Recovery mornings")
    assert page.evaluate(FITS)
    requests = page.get_by_role("region", name="Requests to join")
    expect(requests).to_contain_text("Jo")
    requests.get_by_role("button", name="Approve Jo").click()
    expect(page.get_by_role("status")).to_contain_text("Jo is now a member.")
    expect(page.get_by_role("region", name="Requests to join")).to_contain_text("No one is waiting")
    assert Membership.objects.get(user__email="jo@example.org").state == "active"

    # Every labelled control on the manage page is reachable, and an invite link is made.
    page.get_by_label("The link works for").select_option(label="1 day")
    page.get_by_role("button", name="Create an invite link").click()
    expect(page.get_by_role("status")).to_contain_text("A new invite link is ready")
    link = page.locator("input.invite-url").first.input_value()
    assert "/circles/invite/" in link
    assert page.evaluate(FITS)

    asker.reload()
    expect(asker.get_by_role("heading", name="You are a member here")).to_be_visible()


def test_an_invitation_and_the_agreement_history_fit_a_phone(transactional_db, new_page):
    host = UserFactory(display_name="River")
    circle = _circle(
        host,
        "Quiet anxiety circle with a rather long name for a small screen",
        _topic("anxiety", "Anxiety"),
        join_policy=Circle.JoinPolicy.INVITE,
    )
    actions.update_agreements(circle, host, "- We listen.\n- Phones away, please.")
    token = make_token(actions.create_invite(circle, host, single_use=True))
    UserFactory(email="invited@example.org", display_name="Invited Person")

    page = new_page(width=360)
    log_in(page, "invited@example.org")
    page.goto(f"/circles/{circle.slug}/agreements/")
    expect(page.get_by_role("heading", name="Version 2 (current)")).to_be_visible()
    assert page.evaluate(FITS)

    page.goto(f"/circles/invite/{token}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("You're invited")
    assert page.evaluate(FITS)
    page.get_by_label("I have read the group agreements and I accept them.").check()
    page.get_by_role("button", name="Accept and join").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to Quiet anxiety circle")

    page.goto(f"/circles/invite/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This invite link doesn't work")
    expect(page.get_by_text("already been used")).to_be_visible()
    assert page.evaluate(FITS)
