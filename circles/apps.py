from django.apps import AppConfig


class CirclesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "circles"
    verbose_name = "Circles"

    def ready(self):
        from circles.views import my_circles_panel
        from members import dashboard, data

        dashboard.register_panel(10, "circles/panel_my_circles.html", my_circles_panel)
        data.register_section("circles", export_circles)


def export_circles(user) -> list[dict]:
    """The member's circles for "download my data" (never other members' data)."""
    from circles.models import Membership

    return [
        {
            "circle": membership.circle.name,
            "role": membership.role,
            "state": membership.state,
            "accepted_agreements_version": membership.accepted_version,
            "muted_until": membership.muted_until.isoformat() if membership.muted_until else None,
            "joined_at": membership.created_at.isoformat(),
        }
        for membership in Membership.objects.filter(user=user).select_related("circle")
    ]
