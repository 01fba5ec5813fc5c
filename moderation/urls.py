from django.urls import path

from moderation import views

app_name = "moderation"
urlpatterns = [
    path("moderation/", views.queue, name="queue"),
    path("moderation/report/", views.report, name="report"),
    path("moderation/reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("moderation/reports/<int:pk>/act/", views.act, name="act"),
    path("moderation/safety/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("moderation/log/", views.audit_log, name="log"),
    path("moderation/suspensions/", views.suspensions, name="suspensions"),
    path("moderation/suspensions/<int:pk>/end/", views.end_suspension, name="end_suspension"),
    path("me/moderation/", views.mine, name="mine"),
    path("me/moderation/notices/<int:pk>/read/", views.notice_read, name="notice_read"),
]
