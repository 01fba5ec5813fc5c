import pytest
from django.urls import reverse

from circles.models import Membership
from tests.circles.conftest import membership
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for(client_for, staff):
    staff.is_superuser = True
    staff.save()
    return client_for(staff)


@pytest.mark.parametrize("model", ["topic", "circle", "membership", "invite"])
def test_the_admin_lists_search_and_filter(admin_client_for, circle, host, member, pending, model):
    url = reverse(f"admin:circles_{model}_changelist")
    assert admin_client_for.get(url).status_code == 200
    assert admin_client_for.get(url, {"q": "grief"}).status_code == 200


def test_the_circle_list_shows_member_counts(admin_client_for, circle, host, member, pending):
    response = admin_client_for.get(reverse("admin:circles_circle_changelist"))
    assert response.status_code == 200
    assert ">2<" in response.content.decode().replace("</td>", "<").replace('">', ">")


def test_memberships_filter_by_state(admin_client_for, circle, host, member, pending):
    response = admin_client_for.get(
        reverse("admin:circles_membership_changelist"), {"state__exact": "pending"}
    )
    assert list(response.context["cl"].result_list) == [membership(circle, pending)]


def test_memberships_search_by_display_name(admin_client_for, circle, host, member, pending):
    response = admin_client_for.get(reverse("admin:circles_membership_changelist"), {"q": "Pia"})
    assert [m.user for m in response.context["cl"].result_list] == [pending]


def test_the_admin_approves_requests_through_the_action(admin_client_for, circle, host, pending):
    admin_client_for.post(
        reverse("admin:circles_membership_changelist"),
        {"action": "approve_requests", "_selected_action": [membership(circle, pending).pk]},
    )
    assert membership(circle, pending).state == Membership.State.ACTIVE


def test_the_admin_edits_circles_through_the_action(admin_client_for, circle, host):
    url = reverse("admin:circles_circle_change", args=[circle.pk])
    form = admin_client_for.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(
        {
            "name": "Renamed by staff",
            "topics": [TopicFactory().pk],
            "agreement_versions-TOTAL_FORMS": "1",
            "agreement_versions-INITIAL_FORMS": "1",
            "agreement_versions-MIN_NUM_FORMS": "0",
            "agreement_versions-MAX_NUM_FORMS": "1000",
            "agreement_versions-0-id": circle.agreement_versions.get().pk,
            "agreement_versions-0-circle": circle.pk,
        }
    )
    response = admin_client_for.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    circle.refresh_from_db()
    assert circle.name == "Renamed by staff"


def test_non_staff_cannot_use_the_admin(client_for, circle, host):
    response = client_for(host).get(reverse("admin:circles_circle_changelist"))
    assert response.status_code == 302


def test_the_admin_revokes_invites_through_the_action(admin_client_for, circle, host):
    from circles.actions import create_invite

    invite = create_invite(circle, host)
    admin_client_for.post(
        reverse("admin:circles_invite_changelist"),
        {"action": "revoke_invites", "_selected_action": [invite.pk]},
    )
    invite.refresh_from_db()
    assert invite.revoked_at is not None
