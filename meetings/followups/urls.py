from django.urls import path

from meetings.followups import views

app_name = "followups"
urlpatterns = [
    path("follow-ups/new/<str:source>/<str:source_id>/", views.open_thread, name="open"),
    path("follow-ups/<int:pk>/", views.thread, name="thread"),
    path("follow-ups/<int:pk>/close/", views.close, name="close"),
    path("follow-ups/messages/<int:pk>/report/", views.report, name="report"),
]
