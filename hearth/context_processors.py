from django.conf import settings


def site(request):
    return {"SITE_NAME": "Hearth", "DEBUG": settings.DEBUG}
