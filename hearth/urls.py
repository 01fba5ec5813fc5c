from django.contrib import admin
from django.urls import include, path

from hearth import views
from hearth.health import healthz

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("members.urls")),
    path("", include("circles.urls")),
    path("", include("meetings.urls")),
    path("", include("meetings.room.urls")),
    path("", include("meetings.wellbeing.urls")),
    path("", include("meetings.followups.urls")),
    path("", include("moderation.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "hearth.views.bad_request"
handler403 = "hearth.views.permission_denied"
handler404 = "hearth.views.page_not_found"
handler500 = "hearth.views.server_error"
