"""What the wellbeing features add elsewhere: /me/ panels, the data export, the circle
page panel, the room's partials, and the demo toolbox."""

import json

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from meetings.wellbeing import demo
from meetings.wellbeing.apps_hooks import export_section
from meetings.wellbeing.models import SavedStrategy, Strategy, StrategyHelped
from meetings.wellbeing.views import room_context

pytestmark = pytest.mark.django_db


def test_my_hearth_shows_my_own_check_ins_only_to_me(
    client_for, member, other_member, ended_meeting, check_in_factory
):
    check_in_factory(ended_meeting, member, "arriving", 2)
    check_in_factory(ended_meeting, member, "leaving", 4)
    check_in_factory(ended_meeting, other_member, "arriving", 1)
    page = client_for(member).get("/me/").content.decode()
    assert "How you\u2019ve been" in page
    assert "Arrived: <strong>Low</strong>" in page
    assert "Left: <strong>Good</strong>" in page
    assert "Really struggling" not in page


def test_hosts_see_how_many_strategies_wait_for_review(client_for, host, strategy_factory):
    strategy_factory(state="pending")
    page = client_for(host).get("/me/").content.decode()
    assert "1 new strategy to review" in page


def test_the_export_holds_my_check_ins_strategies_and_saves(
    member, other_member, ended_meeting, check_in_factory, strategy_factory
):
    check_in_factory(ended_meeting, member, "leaving", None, wants=True)
    mine = strategy_factory("Mine")
    theirs = strategy_factory("Theirs", author=other_member)
    SavedStrategy.objects.create(user=member, strategy=theirs)
    StrategyHelped.objects.create(user=member, strategy=theirs)
    data = export_section(member)
    json.dumps(data)
    assert data["check_ins"][0]["score"] is None
    assert data["check_ins"][0]["words"] == "Rather not say"
    assert data["check_ins"][0]["wants_check_in"] is True
    assert [s["id"] for s in data["strategies_written"]] == [mine.pk]
    assert [s["strategy_id"] for s in data["saved_strategies"]] == [theirs.pk]
    assert data["marked_helpful"] == [theirs.pk]


def test_the_download_includes_the_wellbeing_section(client_for, member):
    response = client_for(member).get("/me/settings/export/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "wellbeing" in json.loads(body)


def test_the_circle_page_links_the_toolbox_for_members(client_for, member, outsider, circle):
    assert "Open the toolbox" in client_for(member).get(f"/circles/{circle.slug}/").content.decode()
    assert (
        "Open the toolbox"
        not in client_for(outsider).get(f"/circles/{circle.slug}/").content.decode()
    )


def _render_room_partials(user, meeting):
    request = RequestFactory().get(f"/meetings/{meeting.pk}/room/")
    request.user = user
    context = room_context(user, meeting)
    return "".join(
        render_to_string(f"wellbeing/{name}.html", context, request=request)
        for name in ("_agreement", "_check_in", "_check_out")
    )


def test_the_room_partials_render_the_forms(member, open_meeting, check_in_factory):
    check_in_factory(open_meeting, member, "arriving", 4)
    html = _render_room_partials(member, open_meeting)
    assert 'data-wellbeing="agreement"' in html and "I agree, for this meeting" in html
    assert f"/meetings/{open_meeting.pk}/check-in/" in html
    assert f"/meetings/{open_meeting.pk}/check-out/" in html
    assert 'value="4" aria-describedby="wb-arriving-help" checked' in html
    assert "<script>" not in html and "style=" not in html


def test_the_room_partials_show_nothing_to_someone_outside(outsider, open_meeting):
    context = room_context(outsider, open_meeting)
    assert not context["wellbeing_can_check_in"]
    assert not context["wellbeing_needs_agreement"]
    assert "check-in/" not in _render_room_partials(outsider, open_meeting)


def test_the_demo_fills_the_toolbox_once(circle, host, member):
    context = {"demo_circle": circle, "users": {"host": host, "alex": member}}
    lines = demo.seed(context)
    assert "6 strategies added" in lines[0]
    demo.seed(context)
    assert Strategy.objects.filter(circle=circle, state="approved").count() == len(demo.STRATEGIES)


def test_the_demo_does_nothing_without_a_circle():
    assert demo.seed({"users": {}}) == []


def _meeting_panel_html(user, meeting):
    from meetings.wellbeing.apps_hooks import meeting_panel

    return render_to_string(
        "wellbeing/_meeting_panel.html", {"panel": meeting_panel(user, meeting)}
    )


def test_the_meeting_page_panel_offers_what_fits_the_moment(
    member, facilitator, open_meeting, ended_meeting
):
    during = _meeting_panel_html(member, open_meeting)
    assert "How are you arriving?" in during and "How are you leaving?" not in during
    after = _meeting_panel_html(member, ended_meeting)
    assert "How are you leaving?" in after and "toolbox" in after
    assert "How the group arrived" not in after
    assert "How the group arrived" in _meeting_panel_html(facilitator, ended_meeting)


def test_the_meeting_page_panel_is_empty_for_outsiders(outsider, ended_meeting):
    assert _meeting_panel_html(outsider, ended_meeting).strip() == ""


def test_the_panels_cost_the_same_few_queries_however_much_there_is(
    rf, host, member, circle, meeting_factory, strategy_factory, django_assert_max_num_queries
):
    from meetings.wellbeing.apps_hooks import check_ins_panel, toolbox_panel

    request = rf.get("/me/")
    request.user = host
    strategy_factory("One", state="pending")
    SavedStrategy.objects.create(user=host, strategy=strategy_factory("Two"))
    with django_assert_max_num_queries(2):
        check_ins_panel(request)
        assert len(toolbox_panel(request)["saved"]) == 1
    for n in range(5):
        strategy_factory(f"Pending {n}", state="pending")
        SavedStrategy.objects.create(user=host, strategy=strategy_factory(f"Saved {n}"))
        strategy_factory(f"Mine {n}", author=host, state="pending")
    with django_assert_max_num_queries(2):
        check_ins_panel(request)
        panel = toolbox_panel(request)
    assert len(panel["saved"]) == 6
    assert len(panel["mine"]) == 5
    assert panel["reviews"] == [{"circle": circle, "count": 11}]
