"""Admin for the room's editable pieces: a circle's own nudges. Django autodiscovers only
``meetings/admin.py``, which imports this module."""

from django.contrib import admin

from meetings.room.models import NudgeText
from moderation.admin import AuditedAdmin


@admin.register(NudgeText)
class NudgeTextAdmin(AuditedAdmin):
    list_display = ("text", "circle", "position")
    list_filter = ("circle",)
    search_fields = ("text", "circle__name")
    ordering = ("circle", "position", "pk")
