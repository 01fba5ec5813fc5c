"""No input of any kind produces a 500: every route, as every kind of visitor, with valid
ids, unknown ids and junk in the path, and with empty and nonsense form data."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver

from meetings.models import Meeting
from members.models import User

PEOPLE = [None, "alex@hearth.example", "host@hearth.example", "staff@hearth.example"]
NONSENSE = {
    "response": "maybe",
    "reason": "x" * 5000,
    "text": "",
    "score": "11",
    "kind": "<b>",
    "hours": "-5",
    "participant_id": "abc",
    "target_kind": "member",
    "target_id": "-1",
    "mode": "zz",
    "duration": "1e9",
    "starts_at": "yesterday",
    "capacity": "0",
    "token": "../../etc",
}
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def route_patterns(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from route_patterns(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def concrete_paths(meeting_id: int) -> list[str]:
    def valid(match):
        converter, name = match.group(1) or "str", match.group(2)
        if converter == "int":
            return str(meeting_id)
        return "evening-grief" if "slug" in (converter, name) or name == "slug" else "x"

    def junk(match):
        return "99999" if match.group(1) == "int" else "zz%27%22%3Cx%3E"

    paths = set()
    for pattern in route_patterns():
        if pattern.startswith("admin/") or (pattern.startswith("accounts/") and "<" in pattern):
            continue
        for fill in (valid, junk):
            paths.add("/" + PARAMETER.sub(fill, pattern))
    return sorted(paths)


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_no_route_answers_500_to_anyone_whatever_they_send():
    call_command("seed_demo", stdout=StringIO())
    paths = concrete_paths(Meeting.objects.first().pk)
    assert len(paths) > 80, "the route walk found too few routes to mean anything"
    errors = []
    for email in PEOPLE:
        client = Client(raise_request_exception=False)
        person = User.objects.get(email=email) if email else None
        for path in paths:
            if person is not None:
                client.force_login(person)  # the walk passes through the logout route
            for method, data in (("get", {}), ("post", {}), ("post", NONSENSE)):
                status = getattr(client, method)(path, data).status_code
                if status >= 500:
                    errors.append(f"{email or 'visitor'} {method.upper()} {path}: {status}")
    assert errors == []
