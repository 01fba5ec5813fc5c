"""Every POST a person can repeat has a limit per account (per IP for visitors) on the
shared cache; over it, nothing changes and a calm page keeps what they typed."""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hearth import ratelimits
from hearth.ratelimits import LIMITS, Limit
from meetings.models import RSVP, Meeting
from moderation.models import Report

pytestmark = pytest.mark.django_db

# Pages that answer only GET (and HEAD): nothing to repeat, so no limit.
GET_ONLY = {
    "home",
    "healthz",
    "members:home",
    "members:export",
    "circles:discover",
    "circles:detail",
    "circles:agreements",
    "circles:mine",
    "meetings:detail",
    "meetings:ics",
    "meetings:calendar",
    "meetings:feed",
    "room:room",
    "room:voice_ice_servers",
    "wellbeing:insights",
    "wellbeing:toolbox",
    "wellbeing:review",
    "moderation:queue",
    "moderation:report_detail",
    "moderation:log",
    "moderation:suspensions",
    "moderation:mine",
}


def our_views(resolver=None, namespace=""):
    """(name, view) for every URL of Hearth's own apps (not the admin, not allauth)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or "allauth" in str(pattern.urlconf_name):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from our_views(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def limit_of(view):
    while view is not None:
        if hasattr(view, "rate_limit"):
            return view.rate_limit
        view = getattr(view, "__wrapped__", None)
    return None


def test_every_view_that_takes_a_post_has_a_declared_limit():
    unlimited = sorted(
        name for name, view in our_views() if name not in GET_ONLY and limit_of(view) is None
    )
    assert unlimited == []


def test_the_get_only_list_names_only_views_that_exist_and_have_no_limit():
    views = dict(our_views())
    assert sorted(GET_ONLY - set(views)) == []
    assert [name for name in GET_ONLY if limit_of(views[name]) is not None] == []


def test_every_limit_reads_as_a_rate_and_a_calm_sentence():
    for limit in LIMITS.values():
        assert limit.window_seconds >= 60
        assert limit.message.startswith("That's a lot of ")
        assert "Nothing was changed" in limit.message


def test_an_unknown_limit_name_fails_at_import_time():
    with pytest.raises(KeyError):
        ratelimits.rate_limited("no-such-limit")


@pytest.fixture
def tight(monkeypatch):
    """``tight("rsvp", 2)``: that limit allows 2 hits a minute for this test."""

    def set_limit(name, count):
        old = LIMITS[name]
        monkeypatch.setitem(LIMITS, name, Limit(name, f"{count}/m", old.what))

    return set_limit


@pytest.fixture
def meeting(circle, facilitator):
    from django.utils import timezone

    meeting = Meeting.objects.create(
        circle=circle, title="Evening", starts_at=timezone.now() + timedelta(days=1)
    )
    meeting.facilitators.set([facilitator])
    return meeting


def rsvp(client, meeting, response):
    return client.post(reverse("meetings:rsvp", args=[meeting.pk]), {"response": response})


def test_rsvps_over_the_limit_change_nothing_and_say_so_calmly(client, member, meeting, tight):
    tight("rsvp", 2)
    client.force_login(member)
    assert rsvp(client, meeting, "going").status_code == 302
    assert rsvp(client, meeting, "not_going").status_code == 302
    response = rsvp(client, meeting, "going")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "A short pause" in response.text
    assert "answers to meetings" in response.text
    assert RSVP.objects.get(meeting=meeting, user=member).response == "not_going"


def test_a_limit_is_per_account(client, member, other_member, meeting, tight):
    tight("rsvp", 1)
    client.force_login(member)
    rsvp(client, meeting, "going")
    assert rsvp(client, meeting, "going").status_code == 429
    client.force_login(other_member)
    assert rsvp(client, meeting, "going").status_code == 302


def test_the_limit_lifts_when_its_window_has_passed(client, member, meeting, tight, time_machine):
    time_machine.move_to("2026-12-01 10:00:00+00:00", tick=False)
    tight("rsvp", 1)
    client.force_login(member)
    rsvp(client, meeting, "going")
    assert rsvp(client, meeting, "not_going").status_code == 429
    time_machine.move_to("2026-12-01 10:01:30+00:00", tick=False)
    assert rsvp(client, meeting, "not_going").status_code == 302


def test_visitors_are_limited_per_ip_address(client, circle, tight):
    tight("membership", 1)
    url = reverse("circles:join", args=[circle.slug])
    assert client.post(url, REMOTE_ADDR="203.0.113.5").status_code == 302
    assert client.post(url, REMOTE_ADDR="203.0.113.5").status_code == 429
    assert client.post(url, REMOTE_ADDR="203.0.113.9").status_code == 302


def report(client, **data):
    return client.post(reverse("moderation:report"), {"reason": "harassment", **data})


def test_a_report_over_the_limit_keeps_what_the_person_wrote(
    client, circle, host, member, other_member, tight
):
    tight("report", 2)
    client.force_login(other_member)
    report(client, kind="member", target=member.pk, circle=circle.pk)
    report(client, kind="circle", target=circle.pk, reason="spam")
    note = "He keeps messaging me after the meeting & I feel unsafe <b>"
    response = report(client, kind="member", target=host.pk, circle=circle.pk, note=note)
    assert response.status_code == 429
    assert Report.objects.count() == 2
    escaped = "He keeps messaging me after the meeting &amp; I feel unsafe &lt;b&gt;"
    assert f'<input type="hidden" name="note" value="{escaped}">' in response.text
    assert f"readonly>{escaped}</textarea>" in response.text
    assert f'<input type="hidden" name="target" value="{host.pk}">' in response.text
    assert 'action="/moderation/report/"' in response.text
    assert "csrfmiddlewaretoken" in response.text


def test_a_request_for_json_gets_json(client, member, meeting, tight):
    tight("rsvp", 0)
    client.force_login(member)
    response = client.post(
        reverse("meetings:rsvp", args=[meeting.pk]),
        {"response": "going"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 429
    assert response.json() == {"ok": False, "error": LIMITS["rsvp"].message}


def test_a_get_is_never_limited(client, circle, outsider, tight):
    tight("report", 0)
    client.force_login(outsider)
    page = client.get(reverse("moderation:report"), {"kind": "circle", "target": circle.pk})
    assert page.status_code == 200


def test_the_limits_live_on_the_shared_cache(settings):
    # With REDIS_URL (as in `make test`) the default cache, which django-ratelimit uses,
    # is Redis: a limit holds across every server process.
    assert settings.CACHES["default"]["BACKEND"] == "hearth.cache.RedisCache"
    assert getattr(settings, "RATELIMIT_USE_CACHE", "default") == "default"
