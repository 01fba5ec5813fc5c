from django.urls import path

from meetings.room import views
from meetings.room.voice import views as voice_views

app_name = "room"
urlpatterns = [
    path("meetings/<int:meeting_id>/room/", views.room, name="room"),
    path("meetings/<int:meeting_id>/room/support/", views.support, name="support"),
    path(
        "meetings/<int:meeting_id>/room/voice/ice-servers/",
        voice_views.ice_servers,
        name="voice_ice_servers",
    ),
    path(
        "meetings/<int:meeting_id>/room/voice/report/",
        voice_views.report_turn,
        name="voice_report",
    ),
]
