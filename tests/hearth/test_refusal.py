"""One refusal type, the views' three ways to answer it, and the page for one no view caught."""

import json

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse

from hearth.refusal import REFUSAL_MESSAGES, Refused
from hearth.refusal_views import (
    RefusalMiddleware,
    refused_form,
    refused_json,
    refused_page,
    refused_redirect,
)


def test_the_code_comes_first_and_the_message_defaults_to_its_declared_words():
    refusal = Refused("muted")
    assert refusal.code == "muted"
    assert refusal.message == REFUSAL_MESSAGES["muted"]
    assert str(refusal) == REFUSAL_MESSAGES["muted"]


def test_a_message_given_replaces_the_declared_words():
    assert Refused("bad_request", "Please give a reason.").message == "Please give a reason."


def test_an_undeclared_code_is_a_bug_not_a_refusal():
    with pytest.raises(ValueError, match="Unknown refusal code"):
        Refused("nope")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("bad_request", 400),
        ("too_long", 400),
        ("forbidden", 403),
        ("removed", 403),
        ("not_found", 404),
        ("conflict", 400),
        ("rate_limited", 429),
        ("unavailable", 503),
    ],
)
def test_each_code_has_its_http_status(code, status):
    assert Refused(code).status == status


@pytest.mark.parametrize("code", sorted(REFUSAL_MESSAGES))
def test_every_declared_code_has_words_to_read(code):
    assert REFUSAL_MESSAGES[code].strip().endswith(".")


@pytest.fixture
def request_with_messages(rf):
    request = rf.post("/somewhere/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_a_refusal_posted_from_a_button_flashes_its_message_and_goes_back(
    request_with_messages,
):
    refusal = Refused("bad_request", "Please write a reason.")
    response = refused_redirect(request_with_messages, refusal, "/back/")
    assert (response.status_code, response.url) == (302, "/back/")
    flashed = [str(message) for message in get_messages(request_with_messages)]
    assert flashed == ["Please write a reason."]


@pytest.mark.django_db
def test_a_forbidden_refusal_from_a_button_is_the_403_page(request_with_messages):
    refusal = Refused("forbidden", "Only the circle's hosts can do that.")
    response = refused_redirect(request_with_messages, refusal, "/back/")
    assert response.status_code == 403
    assert "Only the circle&#x27;s hosts can do that." in response.content.decode()
    assert list(get_messages(request_with_messages)) == []


class ReasonForm(forms.Form):
    reason = forms.CharField()


def test_a_refused_form_shows_the_message_and_gives_the_status():
    form = ReasonForm({"reason": "Snow"})
    assert form.is_valid()
    status = refused_form(form, Refused("not_found", "That meeting is gone."))
    assert status == 404
    assert form.non_field_errors() == ["That meeting is gone."]
    assert refused_form(form, Refused("too_long"), "reason") == 400
    assert form.errors["reason"] == [REFUSAL_MESSAGES["too_long"]]


def test_a_refusal_as_json_carries_its_code_and_message():
    response = refused_json(Refused("too_long"))
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "error": {"code": "too_long", "message": REFUSAL_MESSAGES["too_long"]}
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "status"), [("forbidden", 403), ("not_found", 404), ("bad_request", 400)]
)
def test_a_refusal_no_view_caught_is_its_error_page_never_a_500(rf, code, status):
    middleware = RefusalMiddleware(lambda request: HttpResponse())
    request = rf.get("/a-page/")
    response = middleware.process_exception(request, Refused(code, "Not this time."))
    assert response.status_code == status
    assert refused_page(request, Refused(code)).status_code == status
    if status != 404:
        assert "Not this time." in response.content.decode()


def test_the_middleware_leaves_other_errors_to_django(rf):
    middleware = RefusalMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(rf.get("/"), KeyError("x")) is None
