from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ModerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self):
        from circles import extensions
        from circles.signals import audit
        from members import dashboard, data, names
        from moderation import actions, safety, views
        from moderation.models import BlockedWord, CrisisPhrase

        audit.connect(actions.on_circles_audit, dispatch_uid="moderation.audit_circles")
        if safety.check_display_name not in names.extra_checks:
            names.extra_checks.append(safety.check_display_name)
        for model in (CrisisPhrase, BlockedWord):
            post_save.connect(safety.clear_cache, sender=model, dispatch_uid=f"cache-{model}")
            post_delete.connect(safety.clear_cache, sender=model, dispatch_uid=f"del-{model}")
        dashboard.register_panel(15, "moderation/panel.html", views.panel_context)
        data.register_section("moderation", views.export_section)
        extensions.register_detail_panel("moderation/circle_panel.html", views.circle_panel_context)
