"""The project's URLs, plus the wellbeing URLs until the project includes them itself."""

from django.urls import include, path

from hearth import urls as project

handler400 = project.handler400
handler403 = project.handler403
handler404 = project.handler404
handler500 = project.handler500

urlpatterns = list(project.urlpatterns)
if not any(getattr(p, "namespace", None) == "wellbeing" for p in project.urlpatterns):
    urlpatterns.append(path("", include("meetings.wellbeing.urls")))
