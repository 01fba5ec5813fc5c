"""The coping toolbox: adding after a meeting, review by hosts and facilitators, helped
marks, saving, searching, reporting and hiding."""

from datetime import timedelta

import pytest
from django.urls import reverse

from hearth.refusal import Refused
from meetings.models import RSVP, Share
from meetings.wellbeing import actions
from meetings.wellbeing.models import SavedStrategy, Strategy, StrategyHelped
from moderation.actions import handle_report
from moderation.models import BlockedWord, ModerationAction, Report
from tests.factories import MembershipFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

TEXT = "When the evening gets heavy, I text one person before 8pm."


def url(name, circle, *args):
    return reverse(f"wellbeing:{name}", args=[circle.slug, *args])


# --- Adding -----------------------------------------------------------------------------


def test_a_member_who_attended_adds_a_strategy_waiting_for_review(member, circle, ended_meeting):
    strategy = actions.add_strategy(member, circle, f"  {TEXT}  ", "evenings")
    assert (strategy.text, strategy.tag, strategy.state) == (TEXT, "evenings", "pending")
    assert strategy.meeting == ended_meeting
    assert strategy.author == member


def test_checking_in_counts_as_attending(circle, user_factory, ended_meeting, check_in_factory):
    newcomer = user_factory()
    MembershipFactory(circle=circle, user=newcomer)
    check_in_factory(ended_meeting, newcomer, "leaving", 4)
    assert actions.add_strategy(newcomer, circle, TEXT).meeting == ended_meeting


def test_taking_a_seat_in_the_room_counts_as_attending(circle, user_factory, ended_meeting):
    from meetings.models import Room

    newcomer = user_factory()
    MembershipFactory(circle=circle, user=newcomer)
    Room.objects.create(
        meeting=ended_meeting, state={"participants": [{"user_id": newcomer.pk, "seat": 0}]}
    )
    assert actions.add_strategy(newcomer, circle, TEXT).meeting == ended_meeting


def test_adding_twice_returns_the_same_strategy(member, circle, ended_meeting):
    first = actions.add_strategy(member, circle, TEXT)
    assert actions.add_strategy(member, circle, TEXT) == first
    assert Strategy.objects.count() == 1


def test_a_member_who_did_not_attend_cannot_add(other_member, circle, ended_meeting):
    RSVP.objects.filter(user=other_member).delete()
    with refused("forbidden", match="attended"):
        actions.add_strategy(other_member, circle, TEXT)
    assert not Strategy.objects.exists()


def test_a_meeting_still_running_does_not_count(member, circle, open_meeting):
    with refused("forbidden", match="attended"):
        actions.add_strategy(member, circle, TEXT)


def test_an_outsider_cannot_add(outsider, circle, ended_meeting):
    with refused("forbidden", match="active members"):
        actions.add_strategy(outsider, circle, TEXT)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "a few words"),
        ("   \n ", "a few words"),
        ("x" * 501, "under 500"),
    ],
)
def test_empty_or_too_long_is_refused(member, circle, ended_meeting, text, message):
    with pytest.raises(Refused, match=message):
        actions.add_strategy(member, circle, text)
    assert not Strategy.objects.exists()


def test_exactly_five_hundred_characters_is_fine(member, circle, ended_meeting):
    assert len(actions.add_strategy(member, circle, "y" * 500).text) == 500


def test_a_blocked_word_is_refused(member, circle, ended_meeting):
    BlockedWord.objects.create(word="frobnicate")
    with pytest.raises(Refused, match="isn't allowed"):
        actions.add_strategy(member, circle, "I frobnicate every morning")
    assert not Strategy.objects.exists()


def test_an_unknown_tag_is_refused(member, circle, ended_meeting):
    with pytest.raises(Refused, match="tag"):
        actions.add_strategy(member, circle, TEXT, "astrology")


def test_a_quote_of_someone_elses_share_is_refused(member, other_member, circle, ended_meeting):
    Share.objects.create(
        meeting=ended_meeting,
        share_id=1,
        participant_id=2,
        turn_id=1,
        author=other_member,
        display_name=other_member.display_name,
        text="Honestly, when the evening gets heavy I text one person before 8pm and it helps.",
    )
    with pytest.raises(Refused, match="own words"):
        actions.add_strategy(member, circle, "when the evening gets heavy, I text one person")
    assert not Strategy.objects.exists()


def test_too_many_waiting_strategies_are_refused(member, circle, ended_meeting):
    for n in range(actions.MAX_PENDING_PER_MEMBER):
        actions.add_strategy(member, circle, f"Strategy number {n}")
    with pytest.raises(Refused, match="waiting for review"):
        actions.add_strategy(member, circle, "One more")


# --- Review -------------------------------------------------------------------------------


@pytest.mark.parametrize("reviewer", ["host", "facilitator", "staff"])
def test_hosts_facilitators_and_staff_approve(request, strategy_factory, reviewer):
    person = request.getfixturevalue(reviewer)
    strategy = strategy_factory(state="pending")
    actions.review_strategy(person, strategy.pk, "approve")
    strategy.refresh_from_db()
    assert (strategy.state, strategy.reviewed_by) == ("approved", person)
    entry = ModerationAction.objects.get()
    assert entry.action == "meetings.strategy.approved"
    assert entry.extra == {"strategy_id": strategy.pk}


@pytest.mark.parametrize("person", ["member", "other_member", "outsider"])
def test_members_cannot_review(request, strategy_factory, person):
    strategy = strategy_factory(state="pending")
    with refused("forbidden"):
        actions.review_strategy(request.getfixturevalue(person), strategy.pk, "approve")
    strategy.refresh_from_db()
    assert strategy.state == "pending"
    assert not ModerationAction.objects.exists()


def test_a_second_reviewer_is_told_who_was_first(strategy_factory, host, facilitator):
    strategy = strategy_factory(state="pending")
    actions.review_strategy(host, strategy.pk, "reject")
    with pytest.raises(Refused, match="already declined by Hanna Host"):
        actions.review_strategy(facilitator, strategy.pk, "approve")
    strategy.refresh_from_db()
    assert strategy.state == "rejected"


def test_only_approved_strategies_are_in_the_toolbox(
    client_for, other_member, circle, strategy_factory
):
    strategy_factory("Pending one", state="pending")
    strategy_factory("Declined one", state="rejected")
    strategy_factory("Approved one")
    page = client_for(other_member).get(url("toolbox", circle)).content.decode()
    assert "Approved one" in page
    assert "Pending one" not in page
    assert "Declined one" not in page


def test_the_author_sees_their_own_waiting_strategy(client_for, member, circle, strategy_factory):
    strategy_factory("Mine, waiting", state="pending")
    page = client_for(member).get(url("toolbox", circle)).content.decode()
    assert "Mine, waiting" in page
    assert "Waiting for review" in page


# --- Helped, saved, search ------------------------------------------------------------------


def test_this_helped_me_is_counted_once_and_not_attributed(other_member, strategy_factory):
    strategy = strategy_factory()
    assert actions.mark_helped(other_member, strategy.pk).helped_count == 1
    with pytest.raises(Refused, match="already marked"):
        actions.mark_helped(other_member, strategy.pk)
    strategy.refresh_from_db()
    assert strategy.helped_count == 1
    assert StrategyHelped.objects.count() == 1


def test_a_waiting_strategy_cannot_be_marked(other_member, strategy_factory):
    strategy = strategy_factory(state="pending")
    with pytest.raises(Refused, match="not in the toolbox"):
        actions.mark_helped(other_member, strategy.pk)
    assert not StrategyHelped.objects.exists()


def test_an_outsider_cannot_mark_or_save(outsider, strategy_factory):
    strategy = strategy_factory()
    with refused("forbidden"):
        actions.mark_helped(outsider, strategy.pk)
    with refused("forbidden"):
        actions.save_strategy(outsider, strategy.pk)
    assert not StrategyHelped.objects.exists()
    assert not SavedStrategy.objects.exists()


def test_saving_is_safe_to_repeat_and_can_be_undone(other_member, strategy_factory):
    strategy = strategy_factory()
    actions.save_strategy(other_member, strategy.pk)
    actions.save_strategy(other_member, strategy.pk)
    assert SavedStrategy.objects.count() == 1
    assert actions.unsave_strategy(other_member, strategy.pk) is True
    assert actions.unsave_strategy(other_member, strategy.pk) is False


def test_search_by_words_and_tag(client_for, other_member, circle, strategy_factory):
    strategy_factory("A warm bath before bed", tag="sleep")
    strategy_factory("Call my sister on Sundays", tag="family")
    client = client_for(other_member)
    page = client.get(url("toolbox", circle), {"q": "bath"}).content.decode()
    assert "A warm bath" in page and "Call my sister" not in page
    page = client.get(url("toolbox", circle), {"tag": "family"}).content.decode()
    assert "Call my sister" in page and "A warm bath" not in page
    page = client.get(url("toolbox", circle), {"q": "nothing like this"}).content.decode()
    assert "Nothing matches" in page


def test_the_most_helpful_come_first(client_for, other_member, circle, strategy_factory):
    strategy_factory("Less helpful", helped_count=1)
    strategy_factory("Most helpful", helped_count=9)
    page = client_for(other_member).get(url("toolbox", circle)).content.decode()
    assert page.index("Most helpful") < page.index("Less helpful")


# --- Endpoints: works / right role / wrong method / bad input -------------------------------


def test_the_add_page_adds_a_strategy(client_for, member, circle, ended_meeting):
    response = client_for(member).post(url("add", circle), {"text": TEXT, "tag": "evenings"})
    assert response.status_code == 302
    assert Strategy.objects.get().text == TEXT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "a few words"),
        ({"text": "z" * 501}, "under 500"),
        ({"text": TEXT, "tag": "astrology"}, "tag"),
        ({"text": TEXT, "meeting": "999999"}, "you attended"),
    ],
)
def test_the_add_page_explains_bad_input_and_changes_nothing(
    client_for, member, circle, ended_meeting, data, message
):
    response = client_for(member).post(url("add", circle), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Strategy.objects.exists()


def test_the_add_page_refuses_who_did_not_attend(client_for, other_member, circle, ended_meeting):
    RSVP.objects.filter(user=other_member).delete()
    response = client_for(other_member).post(url("add", circle), {"text": TEXT})
    assert response.status_code == 403
    assert "attended" in response.content.decode()
    assert not Strategy.objects.exists()


def test_the_toolbox_is_for_members(client_for, outsider, circle):
    assert client_for(outsider).get(url("toolbox", circle)).status_code == 403
    assert client_for(None).get(url("toolbox", circle)).status_code == 302


def test_the_review_page_approves(client_for, host, circle, strategy_factory):
    strategy = strategy_factory("Please approve me", state="pending")
    client = client_for(host)
    assert "Please approve me" in client.get(url("review", circle)).content.decode()
    response = client.post(url("review_decide", circle, strategy.pk), {"decision": "approve"})
    assert response.status_code == 302
    strategy.refresh_from_db()
    assert strategy.state == "approved"


def test_the_review_page_is_for_hosts_and_facilitators(
    client_for, member, circle, strategy_factory
):
    strategy = strategy_factory(state="pending")
    client = client_for(member)
    assert client.get(url("review", circle)).status_code == 403
    response = client.post(url("review_decide", circle, strategy.pk), {"decision": "approve"})
    assert response.status_code == 403
    strategy.refresh_from_db()
    assert strategy.state == "pending"


def test_a_bad_decision_changes_nothing(client_for, host, circle, strategy_factory):
    strategy = strategy_factory(state="pending")
    response = client_for(host).post(
        url("review_decide", circle, strategy.pk), {"decision": "maybe"}, follow=True
    )
    assert "approve or decline" in response.content.decode()
    strategy.refresh_from_db()
    assert strategy.state == "pending"


def test_a_strategy_of_another_circle_is_not_found(client_for, host, strategy_factory):
    from tests.factories import CircleFactory

    elsewhere = strategy_factory(circle=CircleFactory(), state="pending")
    circle = host.memberships.get().circle
    response = client_for(host).post(
        url("review_decide", circle, elsewhere.pk), {"decision": "approve"}
    )
    assert response.status_code == 404


def test_helped_twice_over_http_says_so_and_counts_once(
    client_for, other_member, circle, strategy_factory
):
    strategy = strategy_factory()
    client = client_for(other_member)
    client.post(url("helped", circle, strategy.pk))
    response = client.post(url("helped", circle, strategy.pk), follow=True)
    assert "already marked" in response.content.decode()
    strategy.refresh_from_db()
    assert strategy.helped_count == 1


@pytest.mark.parametrize("name", ["helped", "save", "unsave", "review_decide"])
def test_member_verbs_refuse_get(client_for, host, circle, strategy_factory, name):
    strategy = strategy_factory()
    assert client_for(host).get(url(name, circle, strategy.pk)).status_code == 405


def test_saved_strategies_are_on_my_hearth(client_for, other_member, circle, strategy_factory):
    strategy = strategy_factory("Tea in the garden")
    client = client_for(other_member)
    client.post(url("save", circle, strategy.pk))
    page = client.get("/me/").content.decode()
    assert "My toolbox" in page and "Tea in the garden" in page


# --- Reporting and hiding --------------------------------------------------------------------


def test_a_member_reports_a_strategy_and_a_host_hides_it(
    client_for, other_member, host, circle, strategy_factory, member
):
    strategy = strategy_factory("Something unkind")
    response = client_for(other_member).post(
        url("report", circle, strategy.pk), {"reason": "unsafe_advice", "note": "Not safe"}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.target_label == "meetings.strategy"
    assert report.snapshot["text"] == "Something unkind"
    assert report.reported_user == member
    assert report.circle == circle

    handle_report(report, host, "hide")
    strategy.refresh_from_db()
    assert strategy.hidden_at is not None
    page = client_for(other_member).get(url("toolbox", circle)).content.decode()
    assert "Something unkind" not in page


def test_a_report_without_a_reason_changes_nothing(
    client_for, other_member, circle, strategy_factory
):
    strategy = strategy_factory()
    response = client_for(other_member).post(url("report", circle, strategy.pk), {"reason": ""})
    assert response.status_code == 400
    assert "Choose a reason" in response.content.decode()
    assert not Report.objects.exists()


def test_hiding_is_safe_to_repeat(strategy_factory, host):
    strategy = strategy_factory()
    actions.hide_strategy(strategy.pk, host)
    first = Strategy.objects.get().hidden_at
    actions.hide_strategy(strategy.pk, host)
    assert Strategy.objects.get().hidden_at == first
    assert actions.describe_strategy(strategy.pk) == {
        "exists": True,
        "hidden": True,
        "state": "approved",
    }


def test_an_old_meeting_still_counts_if_recent_enough(member, circle, meeting_factory):
    old = meeting_factory(going=[member], starts_in=timedelta(days=-30))
    assert actions.add_strategy(member, circle, TEXT).meeting == old


def test_authors_cannot_report_their_own_strategy(client_for, member, circle, strategy_factory):
    strategy = strategy_factory()
    response = client_for(member).post(url("report", circle, strategy.pk), {"reason": "spam"})
    assert response.status_code == 400
    assert "report yourself" in response.content.decode()
    assert not Report.objects.exists()


def test_a_hidden_strategy_leaves_personal_toolboxes(
    client_for, other_member, host, circle, strategy_factory
):
    strategy = strategy_factory("Soon hidden")
    actions.save_strategy(other_member, strategy.pk)
    actions.hide_strategy(strategy.pk, host)
    assert "Soon hidden" not in client_for(other_member).get("/me/").content.decode()
    with pytest.raises(Refused, match="not in the toolbox"):
        actions.mark_helped(other_member, strategy.pk)
