import pytest

from meetings import actions
from meetings.models import Meeting


@pytest.fixture
def admin_client(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "model",
    ["meeting", "rsvp", "meetingseries", "notification", "reminderdelivery", "calendarfeed"],
)
def test_staff_can_browse_every_meetings_model(admin_client, member, meeting, model):
    actions.rsvp(member, meeting, "going")
    assert admin_client.get(f"/admin/meetings/{model}/").status_code == 200


def test_a_meeting_page_shows_its_rsvps(admin_client, member, meeting):
    actions.rsvp(member, meeting, "going")
    response = admin_client.get(f"/admin/meetings/meeting/{meeting.pk}/change/")
    assert response.status_code == 200 and "Milo Member" in response.content.decode()


def test_search_works(admin_client, meeting):
    assert admin_client.get("/admin/meetings/meeting/?q=Evening").status_code == 200


def test_staff_cancel_through_the_action(admin_client, member, meeting):
    actions.rsvp(member, meeting, "going")
    admin_client.post(
        "/admin/meetings/meeting/",
        {"action": "cancel_selected", "_selected_action": [meeting.pk]},
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.cancel_reason == "Cancelled by Hearth's staff."


def test_the_admin_cannot_add_or_edit_meetings_directly(admin_client, meeting):
    assert admin_client.get("/admin/meetings/meeting/add/").status_code == 403
    admin_client.post(f"/admin/meetings/meeting/{meeting.pk}/change/", {"title": "Changed"})
    meeting.refresh_from_db()
    assert meeting.title == "Evening circle"
