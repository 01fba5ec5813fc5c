from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("meetings/<int:pk>/", views.detail, name="detail"),
    path("meetings/<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("meetings/<int:pk>/edit/", views.edit, name="edit"),
    path("meetings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_ics, name="ics"),
    path("circles/<slug:slug>/meetings/new/", views.new, name="new"),
    path("meetings/calendar/", views.calendar_page, name="calendar"),
    path("meetings/calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("meetings/feed/<str:token>.ics", views.feed_ics, name="feed"),
    path("meetings/notifications/read/", views.notifications_read, name="notifications_read"),
]
