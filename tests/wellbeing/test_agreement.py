"""Confirming the circle's agreements once per meeting, before entering the room."""

import pytest
from django.urls import reverse

from circles.models import AgreementVersion
from hearth.refusal import Refused
from meetings.wellbeing.actions import confirm_meeting_agreement
from meetings.wellbeing.models import MeetingAgreement
from meetings.wellbeing.permissions import needs_meeting_agreement
from tests.refusals import refused
from tests.wellbeing.conftest import json_post

pytestmark = pytest.mark.django_db


def agree_url(meeting):
    return reverse("wellbeing:agree", args=[meeting.pk])


def test_a_member_confirms_once_and_it_is_remembered_for_the_meeting(member, open_meeting):
    assert needs_meeting_agreement(member, open_meeting)
    confirm_meeting_agreement(member, open_meeting.pk, 1)
    confirm_meeting_agreement(member, open_meeting.pk, 1)
    assert not needs_meeting_agreement(member, open_meeting)
    assert MeetingAgreement.objects.get().version == 1


def test_it_is_asked_again_for_the_next_meeting(member, open_meeting, meeting_factory):
    confirm_meeting_agreement(member, open_meeting.pk, 1)
    assert needs_meeting_agreement(member, meeting_factory(going=[member]))


def test_new_agreements_are_confirmed_again(member, circle, open_meeting):
    confirm_meeting_agreement(member, open_meeting.pk, 1)
    AgreementVersion.objects.create(circle=circle, version=2, text="- Be kind.")
    circle.agreements_version = 2
    circle.save()
    open_meeting.refresh_from_db()
    assert needs_meeting_agreement(member, open_meeting)
    with pytest.raises(Refused, match="changed while you were reading"):
        confirm_meeting_agreement(member, open_meeting.pk, 1)
    confirm_meeting_agreement(member, open_meeting.pk, 2)
    assert MeetingAgreement.objects.get().version == 2


def test_facilitators_confirm_too_but_staff_and_outsiders_are_not_asked(
    facilitator, staff, outsider, open_meeting
):
    assert needs_meeting_agreement(facilitator, open_meeting)
    assert not needs_meeting_agreement(staff, open_meeting)
    assert not needs_meeting_agreement(outsider, open_meeting)


def test_a_circle_without_agreements_asks_nothing(member, circle, open_meeting):
    circle.agreement_versions.all().delete()
    assert not needs_meeting_agreement(member, open_meeting)


def test_someone_not_in_the_room_cannot_confirm(outsider, open_meeting):
    with refused("forbidden"):
        confirm_meeting_agreement(outsider, open_meeting.pk, 1)
    assert not MeetingAgreement.objects.exists()


def test_the_endpoint_confirms_and_returns_to_the_room(client_for, member, open_meeting):
    room = f"/meetings/{open_meeting.pk}/room/"
    response = client_for(member).post(agree_url(open_meeting), {"version": "1", "next": room})
    assert response.status_code == 302
    assert response["Location"] == room
    assert MeetingAgreement.objects.filter(user=member).exists()


def test_the_endpoint_answers_fetch_with_json(client_for, member, open_meeting):
    response = json_post(client_for(member), agree_url(open_meeting), {"version": "1"})
    assert response.json()["ok"] is True


def test_the_endpoint_ignores_a_foreign_next(client_for, member, open_meeting):
    response = client_for(member).post(
        agree_url(open_meeting), {"version": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == open_meeting.get_absolute_url()


@pytest.mark.parametrize("version", ["", "abc", "7"])
def test_bad_input_changes_nothing(client_for, member, open_meeting, version):
    response = json_post(client_for(member), agree_url(open_meeting), {"version": version})
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert not MeetingAgreement.objects.exists()


def test_the_endpoint_refuses_the_wrong_person_and_method(
    client_for, outsider, member, open_meeting
):
    assert (
        json_post(client_for(outsider), agree_url(open_meeting), {"version": "1"}).status_code
        == 403
    )
    assert client_for(member).get(agree_url(open_meeting)).status_code == 405
    assert not MeetingAgreement.objects.exists()
