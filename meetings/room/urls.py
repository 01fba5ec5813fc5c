from django.urls import path

from meetings.room import views

app_name = "room"
urlpatterns = [
    path("meetings/<int:meeting_id>/room/", views.room, name="room"),
    path("meetings/<int:meeting_id>/room/support/", views.support, name="support"),
]
