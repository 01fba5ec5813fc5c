"""Wiring for the wellbeing features, called once from ``MeetingsConfig.ready()``::

    from meetings.wellbeing import apps_hooks
    apps_hooks.register()

It adds two panels to ``/me/`` (your check-ins; your toolbox), a "toolbox" panel to circle
pages, a "wellbeing" section to "download my data", and a moderation content handler so a
reported strategy can be hidden from the queue. Safe to call twice.
"""

from circles import permissions as circle_permissions
from meetings.wellbeing import permissions, queries
from meetings.wellbeing.models import (
    CheckIn,
    MeetingAgreement,
    SavedStrategy,
    Strategy,
    StrategyHelped,
)

CONTENT_LABEL = "meetings.strategy"
_registered = False


def register() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    from circles import extensions
    from meetings.wellbeing import actions
    from members import dashboard, data
    from moderation.registry import register_content_handler

    dashboard.register_panel(40, "wellbeing/panel_check_ins.html", check_ins_panel)
    dashboard.register_panel(45, "wellbeing/panel_toolbox.html", toolbox_panel)
    extensions.register_detail_panel("wellbeing/_circle_toolbox.html", circle_panel)
    data.register_section("wellbeing", export_section)
    register_content_handler(
        CONTENT_LABEL, hide=actions.hide_strategy, describe=actions.describe_strategy
    )


def meeting_panel(user, meeting) -> dict:
    """Links for the meeting's page (``wellbeing/_meeting_panel.html``, included with
    ``panel=meeting_panel(request.user, meeting)``): check in, check out, add to the
    toolbox, and the insights page for its facilitators."""
    over = permissions.meeting_is_over(meeting)
    return {
        "meeting": meeting,
        "can_check_in": permissions.can_check_in(user, meeting, "arriving"),
        "can_check_out": over and permissions.can_check_in(user, meeting, "leaving"),
        "can_add": over and permissions.can_add_strategy(user, meeting.circle),
        "can_view_insights": over and permissions.can_view_insights(user, meeting),
    }


def check_ins_panel(request) -> dict:
    if not request.user.is_authenticated:
        return {"history": []}
    return {"history": queries.history(request.user)}


def toolbox_panel(request) -> dict:
    """Saved strategies, the member's own, and how many wait for their review: one query."""
    user = request.user
    if not user.is_authenticated:
        return {"saved": [], "mine": [], "reviews": []}
    rows = queries.dashboard_strategies(user)
    saved = sorted((s for s in rows if s.saved_at is not None), key=lambda s: s.saved_at)
    reviews: dict[int, dict] = {}
    for strategy in rows:
        if strategy.is_pending and strategy.reviewable:
            entry = reviews.setdefault(strategy.circle_id, {"circle": strategy.circle, "count": 0})
            entry["count"] += 1
    mine = [s for s in rows if s.author_id == user.pk]
    mine.sort(key=lambda s: s.created_at, reverse=True)
    return {
        "saved": [s for s in reversed(saved) if s.is_visible],
        "mine": mine[:10],
        "reviews": list(reviews.values()),
    }


def circle_panel(request, circle) -> dict:
    user = request.user
    visible = permissions.can_view_toolbox(user, circle)
    return {
        "circle": circle,
        "show": visible,
        "count": queries.toolbox(circle).count() if visible else 0,
        "can_review": visible and permissions.can_review_strategies(user, circle),
        "is_member": circle_permissions.is_active_member(user, circle),
    }


def export_section(user) -> dict:
    """The member's own check-ins, strategies, saved strategies and "helped" marks."""
    return {
        "check_ins": [
            {
                "meeting_id": c.meeting_id,
                "meeting_title": c.meeting.title,
                "meeting_starts_at": c.meeting.starts_at.isoformat(),
                "moment": c.moment,
                "score": c.score,
                "words": c.label,
                "wants_check_in": c.wants_check_in,
                "answered_at": c.created_at.isoformat(),
                "changed_at": c.updated_at.isoformat(),
            }
            for c in CheckIn.objects.filter(user=user).select_related("meeting").order_by("pk")
        ],
        "strategies_written": [
            {
                "id": s.pk,
                "circle": s.circle.name,
                "text": s.text,
                "tag": s.tag,
                "state": s.state,
                "hidden": s.hidden_at is not None,
                "helped_count": s.helped_count,
                "created_at": s.created_at.isoformat(),
            }
            for s in Strategy.objects.filter(author=user).select_related("circle").order_by("pk")
        ],
        "saved_strategies": [
            {
                "strategy_id": saved.strategy_id,
                "circle": saved.strategy.circle.name,
                "text": saved.strategy.text,
                "saved_at": saved.created_at.isoformat(),
            }
            for saved in SavedStrategy.objects.filter(user=user)
            .select_related("strategy", "strategy__circle")
            .order_by("pk")
        ],
        "marked_helpful": list(
            StrategyHelped.objects.filter(user=user)
            .order_by("pk")
            .values_list("strategy_id", flat=True)
        ),
        "meeting_agreements": [
            {
                "meeting_id": a.meeting_id,
                "version": a.version,
                "confirmed_at": a.confirmed_at.isoformat(),
            }
            for a in MeetingAgreement.objects.filter(user=user).order_by("pk")
        ],
    }
