"""Staff edit a circle's own nudges in the Django admin."""

from django.contrib import admin

import meetings.room.admin  # noqa: F401 - registered here until meetings/admin.py imports it
from meetings.room import gentle
from meetings.room.models import NudgeText


def test_nudge_texts_are_in_the_admin():
    assert NudgeText in admin.site._registry


def test_a_circle_without_its_own_nudges_uses_the_defaults(circle):
    assert list(gentle.nudge_texts(circle).values()) == list(gentle.DEFAULT_NUDGES)


def test_a_circle_with_its_own_nudges_uses_only_those_in_order(circle):
    later = NudgeText.objects.create(circle=circle, text="Let's slow down.", position=2)
    first = NudgeText.objects.create(circle=circle, text="Breathe.", position=1)

    assert gentle.nudge_texts(circle) == {
        str(first.pk): "Breathe.",
        str(later.pk): "Let's slow down.",
    }


def test_agreement_lines_drop_list_markers_and_headings(circle):
    circle.agreement_versions.update(text="# Ours\n\n- **We listen.**\n1. We keep it here.\n")

    assert gentle.agreement_lines(circle) == ["We listen.", "We keep it here."]
    assert gentle.agreement_line(circle, "  we LISTEN. ") == "We listen."
    assert gentle.agreement_line(circle, "Ours") is None


def test_a_staff_edit_of_a_circles_nudges_is_audited(admin_client, circle):
    from django.urls import reverse

    from moderation.models import ModerationAction

    admin_client.post(
        reverse("admin:meetings_nudgetext_add"),
        {"circle": circle.pk, "text": "Take your time.", "position": 1},
    )
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.circle) == ("meetings.nudgetext.added", circle)
    assert "Take your time" not in str(entry.extra)
