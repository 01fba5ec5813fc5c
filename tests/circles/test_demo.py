import pytest

from circles import demo
from circles.models import Circle, Membership
from members.demo import seed_members

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_circles_across_topics_and_is_safe_to_repeat():
    context = {"users": seed_members()}
    lines = demo.seed(context)
    assert lines
    assert set(context["circles"]) == {
        "evening-grief",
        "recovery-mornings",
        "carers-corner",
        "quiet-anxiety",
    }
    grief = context["demo_circle"]
    assert grief.slug == "evening-grief"
    assert grief.join_policy == "open" and grief.visibility == "listed"
    assert grief.voice_enabled, "the demo room shows voice"
    assert not Circle.objects.get(slug="carers-corner").voice_enabled
    users = context["users"]
    roles = {m.user_id: (m.role, m.state, m.accepted_version) for m in grief.memberships.all()}
    assert roles[users["host"].pk] == ("host", "active", grief.agreements_version)
    assert roles[users["facilitator"].pk] == ("facilitator", "active", grief.agreements_version)
    for key in ("alex", "sam", "jo"):
        assert roles[users[key].pk] == ("member", "active", grief.agreements_version)
    request = Membership.objects.get(circle__slug="recovery-mornings", user=users["jo"])
    assert request.state == "pending"
    topics = {t for c in Circle.objects.all() for t in c.topics.values_list("slug", flat=True)}
    assert len(topics) >= 4

    again = {"users": seed_members()}
    demo.seed(again)
    assert Circle.objects.count() == 4
    assert Membership.objects.count() == sum(
        len(c.memberships.all()) for c in again["circles"].values()
    )
    assert again["demo_circle"].pk == grief.pk
