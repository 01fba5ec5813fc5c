"""Wiring for follow-ups, called once from ``MeetingsConfig.ready()``: a panel on
``/me/``, a section in "download my data", moderation's content handler for reported
messages, "Send a follow-up" next to safety events in the moderation queue, and closing a
deleted member's open threads. Safe to call twice."""

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import pre_delete

from meetings.followups import permissions, queries
from meetings.followups.models import FollowUp, FollowUpMessage
from members.models import display_name_of

CONTENT_LABEL = "meetings.followupmessage"
_registered = False


def register() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    from meetings.followups import actions
    from members import dashboard, data
    from moderation.registry import register_content_handler, register_safety_event_links

    dashboard.register_panel(15, "followups/panel.html", dashboard_panel)
    data.register_section("follow_ups", export_section)
    register_content_handler(
        CONTENT_LABEL, hide=actions.hide_message, describe=actions.describe_message
    )
    register_safety_event_links(queries.for_safety_events)
    pre_delete.connect(
        on_user_deleted,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="meetings.followups.close_deleted_members_threads",
    )


def on_user_deleted(sender, instance=None, **kwargs):
    """A deleted member's open threads close, in the deletion's transaction."""
    from meetings.followups import actions

    if instance is not None and instance.pk is not None:
        actions.close_threads_about(instance)


def dashboard_panel(request) -> dict:
    threads = queries.threads_for(request.user)
    return {
        "follow_ups": [
            {
                "thread": thread,
                "mine": thread.member_id == request.user.pk,
                "member_name": display_name_of(thread.member),
            }
            for thread in threads
        ],
        "follow_ups_off": getattr(request.user, "no_follow_ups", False),
    }


def support_promise(user) -> str:
    """What the room's support dialog promises a member who asked for support."""
    if permissions.member_allows_follow_ups(user):
        return (
            "The facilitators have been told. They may send you a private follow-up after "
            "the meeting, on your Hearth home page. The rest of the circle has not been told."
        )
    return (
        "The facilitators have been told. You asked not to be contacted after meetings, so "
        "nobody will message you: the help above is there for you now. The rest of the "
        "circle has not been told."
    )


def export_section(user) -> dict:
    """The member's threads, whole, and the messages they wrote in others' threads."""
    threads = (
        FollowUp.objects.filter(Q(member=user) | Q(messages__author=user))
        .distinct()
        .select_related("circle")
        .order_by("pk")
    )
    return {
        "threads": [
            {
                "id": thread.pk,
                "about_me": thread.member_id == user.pk,
                "circle": thread.circle.name,
                "meeting_id": thread.meeting_id,
                "reason": thread.reason,
                "opened_by": thread.opened_by_name,
                "opened_at": thread.created_at.isoformat(),
                "closed_at": thread.closed_at.isoformat() if thread.closed_at else None,
                "messages": [
                    {
                        "author": display_name_of(message.author),
                        "role": message.author_role,
                        "text": message.text,
                        "written_at": message.created_at.isoformat(),
                    }
                    for message in FollowUpMessage.objects.filter(thread=thread)
                    .filter(Q(thread__member=user) | Q(author=user))
                    .select_related("author")
                ],
            }
            for thread in threads
        ]
    }
