from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    return {"SITE_NAME": "Hearth", "DEBUG": settings.DEBUG}


def navigation(request):
    """What the main navigation offers this person; asked only when a page renders it."""
    from moderation.permissions import can_view_queue

    user = getattr(request, "user", None)
    return {
        "nav_can_moderate": SimpleLazyObject(
            lambda: bool(user is not None and user.is_authenticated and can_view_queue(user))
        )
    }
