from django.apps import AppConfig


class CirclesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "circles"
    verbose_name = "Circles"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from circles.views import my_circles_panel
        from members import dashboard, data, deletion

        dashboard.register_panel(10, "circles/panel_my_circles.html", my_circles_panel)
        data.register_section("circles", export_circles)
        deletion.register_handovers(circles_hosted_alone)
        pre_delete.connect(
            pass_circles_to_staff, sender=get_user_model(), dispatch_uid="circles.pass_to_staff"
        )


def circles_hosted_alone(user) -> list:
    """For the delete-account page: the circles to hand over first."""
    from django.urls import reverse

    from circles.actions import hosted_alone_by
    from members.deletion import Handover

    return [
        Handover(circle.name, reverse("circles:manage", args=[circle.slug]))
        for circle in hosted_alone_by(user)
    ]


def pass_circles_to_staff(sender, instance=None, **kwargs):
    """Deleting the last host's account never leaves a circle unhosted silently."""
    from circles.actions import pass_to_staff

    if instance is not None and instance.pk is not None:
        pass_to_staff(instance)


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
