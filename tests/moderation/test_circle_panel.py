"""The panel moderation adds to a circle's page (through circles.extensions)."""

from django.urls import reverse

from moderation.models import Report


def _page(client, user, circle):
    if user is not None:
        client.force_login(user)
    response = client.get(f"/circles/{circle.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_member_can_report_another_member_from_the_circle_page(
    client, circle, member, other_member
):
    body = _page(client, member, circle)
    assert "Report a member to the hosts" in body
    assert f'<option value="{other_member.pk}">' in body
    assert f'<option value="{member.pk}">' not in body


def test_the_report_round_trip_from_the_circle_page(client, circle, member, other_member):
    client.force_login(member)
    form = client.get(
        reverse("moderation:report"),
        {
            "kind": "member",
            "circle": circle.pk,
            "target": other_member.pk,
            "next": "/circles/evening-grief/",
        },
    )
    assert form.status_code == 200
    assert 'value="/circles/evening-grief/"' in form.content.decode()
    response = client.post(
        reverse("moderation:report"),
        {
            "kind": "member",
            "circle": circle.pk,
            "target": other_member.pk,
            "reason": "spam",
            "next": "/circles/evening-grief/",
        },
    )
    assert response.url == "/circles/evening-grief/"
    assert Report.objects.get().reported_user == other_member


def test_an_outsider_can_only_report_the_circle(client, circle, outsider, member):
    body = _page(client, outsider, circle)
    assert "Report this circle" in body
    assert "Report a member" not in body


def test_hosts_see_the_open_reports_count(client, circle, host, member_report):
    assert "1 open report about" in _page(client, host, circle)


def test_members_do_not_see_report_counts(client, circle, other_member, member_report):
    assert "open report" not in _page(client, other_member, circle)


def test_visitors_see_no_safety_panel(client, circle):
    assert "Report this circle" not in _page(client, None, circle)
