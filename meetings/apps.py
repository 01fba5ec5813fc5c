from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import pre_delete

        from circles import extensions
        from circles.signals import membership_changed
        from meetings import hooks
        from meetings.followups import hooks as followups
        from meetings.room import data as room_data
        from meetings.room.system import register_moderation_handlers
        from meetings.wellbeing import apps_hooks as wellbeing
        from members import dashboard, data
        from moderation.registry import register_meeting_lookup

        extensions.register_next_meeting_lookup(hooks.next_meeting_times)
        extensions.register_detail_panel("meetings/_circle_upcoming.html", hooks.circle_panel)
        dashboard.register_panel(20, "meetings/_dashboard.html", hooks.dashboard_panel)
        data.register_section("rsvps", hooks.export_rsvps)
        data.register_section("notifications", hooks.export_notifications)
        data.register_section("room", room_data.export_room_data)
        membership_changed.connect(hooks.on_membership_changed, dispatch_uid="meetings.withdraw")
        pre_delete.connect(
            hooks.on_user_deleted,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="meetings.withdraw_deleted_account",
        )
        register_moderation_handlers()
        register_meeting_lookup(hooks.meetings_by_id)
        wellbeing.register()
        followups.register()
