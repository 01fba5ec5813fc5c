"""seed_demo's moderation part."""

from moderation import demo
from moderation.models import BlockedWord, CrisisPhrase, Report
from tests.factories import MembershipFactory, UserFactory


def test_it_seeds_a_gentle_sample_report_and_is_safe_to_repeat(circle):
    users = {name: UserFactory(display_name=name.title()) for name in ("sam", "jo")}
    users["staff"] = UserFactory(is_staff=True)
    for user in (users["sam"], users["jo"]):
        MembershipFactory(circle=circle, user=user)
    context = {"users": users, "demo_circle": circle}
    lines = demo.seed(context)
    demo.seed(context)
    report = Report.objects.get()
    assert (report.reporter, report.reported_user, report.reason) == (
        users["sam"],
        users["jo"],
        "other",
    )
    assert report.note == "Testing the queue"
    assert any("/moderation/" in line for line in lines)


def test_it_ensures_the_safety_defaults(db):
    CrisisPhrase.objects.all().delete()
    BlockedWord.objects.all().delete()
    demo.seed({"users": {}})
    assert CrisisPhrase.objects.filter(phrase="kill myself").exists()
    assert BlockedWord.objects.exists()
