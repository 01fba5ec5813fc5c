"""Admin for meetings. Staff look and search here; changes go through ``meetings.actions``
(cancelling is an admin action), so counts, the waitlist and notifications stay right."""

from django.contrib import admin, messages

import meetings.room.admin  # noqa: F401 - the room's nudge texts
from hearth.refusal import Refused
from meetings import actions
from meetings.models import (
    RSVP,
    CalendarFeed,
    Meeting,
    MeetingSeries,
    Notification,
    ReminderDelivery,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RSVPInline(admin.TabularInline):
    model = RSVP
    fields = ["user", "response", "waitlisted_at", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["response", "waitlisted_at", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "circle", "starts_at", "status", "capacity", "going_count", "series"]
    list_filter = ["status", "room_mode"]
    search_fields = ["title", "circle__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["circle", "series"]
    inlines = [RSVPInline]
    actions = ["cancel_selected"]

    @admin.action(description="Cancel the selected meetings (everyone who answered is told)")
    def cancel_selected(self, request, queryset):
        done = 0
        for meeting in queryset:
            try:
                done += actions.cancel_meeting_as_staff(request.user, meeting)
            except Refused as refusal:
                self.message_user(request, f"{meeting}: {refusal.message}", messages.WARNING)
        self.message_user(request, f"Cancelled {done} meeting(s).")


@admin.register(RSVP)
class RSVPAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "user", "response", "waitlisted_at", "created_at"]
    list_filter = ["response"]
    search_fields = ["meeting__title", "user__display_name"]
    list_select_related = ["meeting", "user"]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(ReadOnlyAdmin):
    list_display = ["title", "circle", "frequency", "time_zone", "first_start", "until"]
    list_filter = ["frequency"]
    search_fields = ["title", "circle__name"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["user__display_name"]


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "user", "kind", "starts_at", "state", "sent_at"]
    list_filter = ["kind", "state"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at"]
    fields = ["user", "created_at"]
