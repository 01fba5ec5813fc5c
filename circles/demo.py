"""Demo data for seed_demo (see hearth/demo.py): a few circles across topics.

Safe to run again: circles are found by slug, and memberships that already exist are
left as they are. Everything goes through ``circles.actions``, like real use.
"""

from contextlib import suppress
from datetime import timedelta

from circles import actions
from circles.invites import make_token
from circles.models import Circle, Membership, Topic
from hearth.refusal import Refused

GRIEF_AGREEMENTS = """\
- **We listen without fixing.** Nobody here needs advice unless they ask for it.
- **What is said here stays here.** Share your own story, never someone else's.
- **Pass is always fine.** You can listen for as long as you like.
- **One voice at a time.** Wait for the talking piece.
- If you are in danger, please call your local emergency number first.
"""

DEFAULT_AGREEMENTS = """\
- We listen without fixing and without judging.
- What is said here stays here.
- Speak from your own experience ("I", not "you").
- Passing is always fine.
"""

CIRCLES = [
    {
        "slug": "evening-grief",
        "name": "Evening grief circle",
        "topics": ["grief-and-loss", "loneliness"],
        "description": "A gentle weekly circle for anyone living with the death of someone "
        "close. Come as you are; listening is enough.",
        "agreements": GRIEF_AGREEMENTS,
        "join_policy": Circle.JoinPolicy.OPEN,
        "member_limit": 12,
        "voice": True,  # the demo room shows voice on the talking piece
        "host": "host",
        "facilitators": ["facilitator"],
        "members": ["alex", "sam", "jo"],
    },
    {
        "slug": "recovery-mornings",
        "name": "Recovery mornings",
        "topics": ["addiction-recovery"],
        "description": "Starting the day together, one day at a time. "
        "A host says hello to each new member first.",
        "agreements": DEFAULT_AGREEMENTS,
        "join_policy": Circle.JoinPolicy.REQUEST,
        "host": "host",
        "facilitators": [],
        "members": ["alex"],
        "requests": ["jo"],
    },
    {
        "slug": "carers-corner",
        "name": "Carers' corner",
        "topics": ["caregiving", "chronic-illness"],
        "description": "For people caring for a partner, parent or child with a long illness.",
        "agreements": DEFAULT_AGREEMENTS,
        "join_policy": Circle.JoinPolicy.OPEN,
        "host": "facilitator",
        "facilitators": [],
        "members": ["sam"],
    },
    {
        "slug": "quiet-anxiety",
        "name": "Quiet anxiety circle",
        "topics": ["anxiety", "depression"],
        "description": "A small, steady circle for living with anxiety. Invite only.",
        "agreements": DEFAULT_AGREEMENTS,
        "join_policy": Circle.JoinPolicy.INVITE,
        "member_limit": 8,
        "host": "host",
        "facilitators": [],
        "members": [],
    },
]

TOPIC_NAMES = {
    "grief-and-loss": "Grief and loss",
    "loneliness": "Loneliness",
    "addiction-recovery": "Addiction recovery",
    "caregiving": "Caregiving",
    "chronic-illness": "Chronic illness",
    "anxiety": "Anxiety",
    "depression": "Depression",
}


def _topics(slugs) -> list[Topic]:
    return [
        Topic.objects.get_or_create(slug=slug, defaults={"name": TOPIC_NAMES[slug]})[0]
        for slug in slugs
    ]


def _host_of(circle: Circle):
    return (
        circle.memberships.filter(role=Membership.Role.HOST, state=Membership.State.ACTIVE)
        .select_related("user")
        .first()
        .user
    )


def _ensure_active(circle: Circle, user, role=Membership.Role.MEMBER) -> None:
    """Make ``user`` an active member with the current agreements (an invite if needed)."""
    membership = Membership.objects.filter(circle=circle, user=user).first()
    if membership is None or not membership.is_active:
        if circle.join_policy == Circle.JoinPolicy.OPEN:
            membership = actions.join_circle(
                user, circle, accepted_version=circle.agreements_version
            )
        else:
            invite = actions.create_invite(
                circle, _host_of(circle), expires_in=timedelta(hours=1), single_use=True
            )
            membership = actions.redeem_invite(
                user, make_token(invite), accepted_version=circle.agreements_version
            )
    actions.accept_agreements(user, circle, circle.agreements_version)
    if membership.role != role:
        actions.change_role(membership, _host_of(circle), role)


def seed(context: dict) -> list[str]:
    users = context["users"]
    circles: dict[str, Circle] = {}
    lines = []
    for spec in CIRCLES:
        circle = Circle.objects.filter(slug=spec["slug"]).first()
        if circle is None:
            circle = actions.create_circle(
                users[spec["host"]],
                name=spec["name"],
                slug=spec["slug"],
                description=spec["description"],
                topics=_topics(spec["topics"]),
                agreements=spec["agreements"],
                join_policy=spec["join_policy"],
                member_limit=spec.get("member_limit"),
            )
        if spec.get("voice") and not circle.voice_enabled:
            actions.update_circle(circle, users[spec["host"]], voice_enabled=True)
        for key in spec["facilitators"]:
            _ensure_active(circle, users[key], Membership.Role.FACILITATOR)
        for key in spec["members"]:
            _ensure_active(circle, users[key])
        for key in spec.get("requests", []):
            with suppress(Refused):  # already asked, or already in
                actions.join_circle(users[key], circle, accepted_version=circle.agreements_version)
        circle.refresh_from_db()
        circles[circle.slug] = circle
        lines.append(
            f"Circle {circle.name!r} (/circles/{circle.slug}/, {circle.join_policy_label.lower()})"
        )
    context["circles"] = circles
    context["demo_circle"] = circles["evening-grief"]
    lines.append("Jo has asked to join 'Recovery mornings': River (host) can approve it.")
    return lines
