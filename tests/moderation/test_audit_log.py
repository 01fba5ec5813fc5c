"""The audit log is append-only at every layer, records circles' changes, and staff browse it."""

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from circles import actions as circle_actions
from circles.models import Circle
from members.actions import delete_account
from moderation.actions import record_action
from moderation.models import AppendOnlyError, ModerationAction
from tests.factories import UserFactory


@pytest.fixture
def entry(host, member, circle):
    return record_action(
        actor=host,
        action="moderation.member.warned",
        target_user=member,
        circle=circle,
        meeting_id=3,
        reason="Please be kind",
        extra={"reports_closed": 1},
    )


def test_record_action_writes_names_as_snapshots(entry, host, member, circle):
    assert entry.actor_name == host.display_name
    assert entry.target_name == member.display_name
    assert entry.circle_name == circle.name
    assert entry.meeting_id == 3


def test_hearth_itself_is_the_actor_of_system_actions(member):
    assert record_action(actor=None, action="moderation.member.unmuted").actor_name == "Hearth"


@pytest.mark.parametrize("name", ["", "muted", "Moderation.Muted", "a..b", "a.b c"])
def test_record_action_refuses_a_name_that_is_not_dotted(db, name):
    with pytest.raises(ValueError):
        record_action(actor=None, action=name)
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("key", ["text", "share_text", "content"])
def test_record_action_refuses_share_text_in_extra(db, key):
    with pytest.raises(ValueError):
        record_action(actor=None, action="room.share.hidden", extra={key: "what was said"})
    assert not ModerationAction.objects.exists()


# --- Append-only ----------------------------------------------------------------------------


def test_the_model_refuses_to_save_changes(entry):
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    entry.refresh_from_db()
    assert entry.reason == "Please be kind"


def test_the_model_refuses_to_delete(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert ModerationAction.objects.filter(pk=entry.pk).exists()


def test_the_queryset_refuses_update_and_delete(entry):
    with pytest.raises(AppendOnlyError):
        ModerationAction.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        ModerationAction.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ModerationAction.objects.bulk_update([entry], ["reason"])
    entry.refresh_from_db()
    assert entry.reason == "Please be kind"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE moderation_moderationaction SET reason = 'x'",
        "UPDATE moderation_moderationaction SET action = 'moderation.nothing'",
        "UPDATE moderation_moderationaction SET actor_name = ''",
        "UPDATE moderation_moderationaction SET actor_id = target_user_id",
        "DELETE FROM moderation_moderationaction",
    ],
)
def test_the_database_refuses_update_and_delete(entry, sql):
    assert connection.vendor == "postgresql"
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    entry.refresh_from_db()
    assert entry.reason == "Please be kind"
    assert entry.actor_name == "Hanna Host"


def test_the_database_allows_only_nulling_a_reference(entry):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE moderation_moderationaction SET circle_id = NULL")
    entry.refresh_from_db()
    assert entry.circle is None
    assert entry.circle_name == "Evening grief circle"


def test_deleting_the_actors_and_targets_accounts_still_works(entry, host, member):
    delete_account(host)
    delete_account(member)
    entry.refresh_from_db()
    assert entry.actor is None and entry.target_user is None
    assert (entry.actor_name, entry.target_name) == ("Hanna Host", "Milo Member")


def test_deleting_a_circle_keeps_its_entries(entry, circle):
    circle.delete()
    entry.refresh_from_db()
    assert entry.circle is None
    assert entry.circle_name == "Evening grief circle"


def test_the_admin_is_read_only(client, entry):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    base = "admin:moderation_moderationaction"
    assert client.get(reverse(f"{base}_changelist")).status_code == 200
    assert client.get(reverse(f"{base}_add")).status_code == 403
    assert (
        client.post(reverse(f"{base}_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    change = client.post(reverse(f"{base}_change", args=[entry.pk]), {"reason": "x"})
    assert change.status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "Please be kind"


# --- Circles' membership changes ------------------------------------------------------------


def test_a_ban_on_the_circle_page_is_logged(
    host, member, circle, django_capture_on_commit_callbacks
):
    membership = member.memberships.get(circle=circle)
    with django_capture_on_commit_callbacks(execute=True):
        circle_actions.ban_member(membership, host, "Threats")
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.actor, entry.target_user) == ("circles.member.banned", host, member)
    assert (entry.circle, entry.reason) == (circle, "Threats")


def test_joining_and_role_changes_are_logged(
    host, member, circle, django_capture_on_commit_callbacks
):
    membership = member.memberships.get(circle=circle)
    with django_capture_on_commit_callbacks(execute=True):
        circle_actions.change_role(membership, host, "facilitator")
    assert ModerationAction.objects.get().action == "circles.member.role_changed"


def test_a_ban_is_logged_in_its_own_transaction_before_commit(host, member, circle):
    membership = member.memberships.get(circle=circle)
    with transaction.atomic():
        circle_actions.ban_member(membership, host, "Threats")
        assert ModerationAction.objects.filter(action="circles.member.banned").exists()


def test_a_rolled_back_ban_leaves_no_entry(host, member, circle):
    membership = member.memberships.get(circle=circle)
    with pytest.raises(RuntimeError), transaction.atomic():
        circle_actions.ban_member(membership, host, "Threats")
        raise RuntimeError("rolled back")
    assert not ModerationAction.objects.exists()


# --- Circles' own changes ------------------------------------------------------------------


def test_a_change_of_settings_is_logged_with_what_changed(host, circle):
    circle_actions.update_circle(
        circle, host, join_policy="request", crisis_resources="Call 999", member_limit=12
    )
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.actor, entry.circle) == ("circles.circle.updated", host, circle)
    assert entry.extra == {
        "fields": ["join_policy", "crisis_resources", "member_limit"],
        "join_policy": "request",
        "member_limit": 12,
    }


def test_saving_unchanged_settings_writes_nothing(host, circle):
    circle_actions.update_circle(circle, host, name=circle.name)
    assert not ModerationAction.objects.exists()


def test_new_agreements_are_logged_with_their_version_not_their_text(host, circle):
    circle_actions.update_agreements(circle, host, "- Be kind to each other")
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.reason, entry.extra) == (
        "circles.agreements.updated",
        "v2",
        {"version": 2},
    )
    assert "kind" not in str(entry.extra) + entry.reason


def test_invite_links_made_and_revoked_are_logged(host, circle):
    invite = circle_actions.create_invite(circle, host, single_use=True)
    circle_actions.revoke_invite(invite, host)
    created, revoked = ModerationAction.objects.order_by("pk")
    assert (created.action, created.extra["invite_id"], created.extra["single_use"]) == (
        "circles.invite.created",
        invite.pk,
        True,
    )
    assert (revoked.action, revoked.extra) == ("circles.invite.revoked", {"invite_id": invite.pk})


def test_a_staff_edit_in_the_admin_is_logged(staff, circle):
    request = RequestFactory().post("/")
    request.user = staff
    circle.visibility = "unlisted"
    admin.site._registry[Circle].save_model(request, circle, form=None, change=True)
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.extra["visibility"]) == ("circles.circle.updated", "unlisted")


# --- Browsing the log ------------------------------------------------------------------------


LOG = reverse("moderation:log")


def test_staff_browse_the_log(client, staff, entry):
    record_action(actor=staff, action="room.participant.removed", meeting_id=9)
    client.force_login(staff)
    body = client.get(LOG).content.decode()
    assert "moderation.member.warned" in body and "room.participant.removed" in body


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"action": "room."}, "room.participant.removed", "moderation.member.warned"),
        ({"actor": "hanna"}, "moderation.member.warned", "room.participant.removed"),
        ({"target": "milo"}, "moderation.member.warned", "room.participant.removed"),
        ({"since": "2999-01-01"}, None, "moderation.member.warned"),
    ],
)
def test_staff_filter_the_log(client, staff, entry, circle, query, shown, hidden):
    record_action(actor=staff, action="room.participant.removed", meeting_id=9)
    client.force_login(staff)
    body = client.get(LOG, query).content.decode()
    if shown:
        assert shown in body
    assert hidden not in body


def test_staff_filter_the_log_by_circle(client, staff, entry, circle, other_circle):
    record_action(actor=staff, action="room.participant.removed", circle=other_circle)
    client.force_login(staff)
    body = client.get(LOG, {"circle": circle.pk}).content.decode()
    assert "moderation.member.warned" in body
    assert "room.participant.removed" not in body


def test_a_bad_filter_shows_everything_with_an_error(client, staff, entry):
    client.force_login(staff)
    response = client.get(LOG, {"since": "yesterday", "circle": "abc"})
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["host", "member", "facilitator"])
def test_only_staff_see_the_log(client, request, entry, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LOG).status_code == 403


def test_a_visitor_is_sent_to_log_in_for_the_log(client, entry):
    assert client.get(LOG).status_code == 302


def test_the_log_refuses_post(client, staff):
    client.force_login(staff)
    assert client.post(LOG).status_code == 405
