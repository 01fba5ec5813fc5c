"""Admin for topics, circles and memberships.

Roles and states are read-only here: changes to memberships go through
``circles.actions`` (the admin actions below call them), so the member limit, the
last-host rule and the audit signal hold for staff too.
"""

from django.contrib import admin, messages
from django.db.models import Count, Q

from circles import actions as circle_actions
from circles.models import AgreementVersion, Circle, Invite, Membership, Topic
from hearth.refusal import Refused


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "circle_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(circle_total=Count("circles"))

    @admin.display(description="Circles", ordering="circle_total")
    def circle_count(self, topic):
        return topic.circle_total


class AgreementVersionInline(admin.TabularInline):
    model = AgreementVersion
    fields = ["version", "text", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-version"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "join_policy",
        "visibility",
        "language",
        "member_count",
        "member_limit",
        "agreements_version",
        "created_at",
    ]
    list_filter = [
        ("staff_hosted_since", admin.EmptyFieldListFilter),
        "join_policy",
        "visibility",
        "language",
        "topics",
        "created_at",
    ]
    search_fields = ["name", "slug", "description"]
    filter_horizontal = ["topics"]
    readonly_fields = ["agreements_version", "staff_hosted_since", "created_by", "created_at"]
    date_hierarchy = "created_at"
    inlines = [AgreementVersionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_members=Count(
                    "memberships", filter=Q(memberships__state=Membership.State.ACTIVE)
                )
            )
        )

    @admin.display(description="Members", ordering="active_members")
    def member_count(self, circle):
        return circle.active_members

    def has_add_permission(self, request):
        """Circles start on the site (/circles/new/), with agreements and a host."""
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in circle_actions.EDITABLE_FIELDS}
        circle_actions.update_circle(obj, request.user, **fields)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "circle",
        "role",
        "state",
        "accepted_version",
        "muted_until",
        "created_at",
    ]
    list_filter = ["state", "role", "circle__join_policy", "created_at"]
    search_fields = ["user__display_name", "user__email", "circle__name", "circle__slug"]
    list_select_related = ["user", "circle"]
    readonly_fields = [
        "circle",
        "user",
        "role",
        "state",
        "accepted_version",
        "muted_until",
        "reason",
        "created_at",
        "updated_at",
    ]
    actions = ["approve_requests", "unban_members"]

    def has_add_permission(self, request):
        return False

    def _each(self, request, queryset, action, done):
        count = 0
        for membership in queryset.select_related("user", "circle"):
            try:
                action(membership, request.user)
                count += 1
            except Refused as error:
                self.message_user(request, f"{membership}: {error.message}", messages.WARNING)
        self.message_user(request, f"{count} {done}.", messages.SUCCESS)

    @admin.action(description="Approve the selected requests to join")
    def approve_requests(self, request, queryset):
        self._each(request, queryset, circle_actions.approve_request, "approved")

    @admin.action(description="Lift the ban on the selected members")
    def unban_members(self, request, queryset):
        self._each(request, queryset, circle_actions.unban_member, "unbanned")


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = [
        "circle",
        "created_by",
        "created_at",
        "expires_at",
        "single_use",
        "uses",
        "revoked_at",
    ]
    list_filter = ["single_use", "created_at", "expires_at"]
    search_fields = ["circle__name", "circle__slug"]
    list_select_related = ["circle", "created_by"]
    readonly_fields = [
        "circle",
        "created_by",
        "created_at",
        "expires_at",
        "single_use",
        "uses",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke_invites"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected invite links")
    def revoke_invites(self, request, queryset):
        for invite in queryset:
            circle_actions.revoke_invite(invite, request.user)
        self.message_user(request, "The selected links no longer work.", messages.SUCCESS)
