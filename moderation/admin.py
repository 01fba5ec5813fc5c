"""Staff edit the safety lists here; everything else is read-only (changes go through
moderation.actions, and the audit log can never be changed)."""

from django.contrib import admin
from django.db import transaction

from moderation.actions import record_action
from moderation.models import (
    BlockedWord,
    CrisisPhrase,
    ModerationAction,
    Notice,
    Report,
    SafetyEvent,
    Suspension,
)
from moderation.permissions import is_staff


class StaffAdmin(admin.ModelAdmin):
    """Every active staff member may use these pages, without per-model permissions."""

    def has_module_permission(self, request):
        return is_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff(request.user)


class AuditedAdmin(admin.ModelAdmin):
    """Staff edits in the admin each write one audit entry in the same transaction:
    ``<app>.<model>.added`` / ``changed`` (with the names of the fields changed) /
    ``deleted``, with the row's id (never its text)."""

    def _audit(self, request, obj, verb: str, fields=None) -> None:
        meta = obj._meta
        extra = {"id": obj.pk}
        if fields:
            extra["fields"] = sorted(fields)
        circle = getattr(obj, "circle", None)
        record_action(
            actor=request.user,
            action=f"{meta.app_label}.{meta.model_name}.{verb}",
            circle=circle,
            extra=extra,
        )

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            fields = list(form.changed_data) if form is not None else None
            if change and not fields:
                return
            self._audit(request, obj, "changed" if change else "added", fields)

    def delete_model(self, request, obj):
        with transaction.atomic():
            pk = obj.pk
            self._audit(request, obj, "deleted")
            super().delete_model(request, obj)
            obj.pk = pk

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self._audit(request, obj, "deleted")
            super().delete_queryset(request, queryset)


class SafetyListAdmin(AuditedAdmin, StaffAdmin):
    def has_add_permission(self, request):
        return is_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return is_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_staff(request.user)


class ReadOnlyAdmin(StaffAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CrisisPhrase)
class CrisisPhraseAdmin(SafetyListAdmin):
    list_display = ["phrase", "language", "active"]
    list_filter = ["language", "active"]
    list_editable = ["active"]
    search_fields = ["phrase"]


@admin.register(BlockedWord)
class BlockedWordAdmin(SafetyListAdmin):
    list_display = ["word", "active"]
    list_filter = ["active"]
    list_editable = ["active"]
    search_fields = ["word"]


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "action",
        "actor_name",
        "target_name",
        "circle_name",
        "meeting_id",
    ]
    list_filter = ["action"]
    search_fields = ["action", "actor_name", "target_name", "circle_name", "reason"]
    date_hierarchy = "created_at"
    actions = None


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "created_at", "reason", "state", "circle", "group_key"]
    list_filter = ["state", "reason"]
    actions = None


@admin.register(SafetyEvent)
class SafetyEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "user_name", "circle", "follow_up"]
    list_filter = ["kind", "follow_up"]
    actions = None


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdmin):
    list_display = ["user", "starts_at", "ends_at", "ended_at"]
    actions = None


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    actions = None
