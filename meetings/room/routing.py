"""The talking circle's WebSocket route (gathered by ``hearth/routing.py``)."""

from django.urls import path

from meetings.room.consumer import RoomConsumer

websocket_urlpatterns = [
    path("ws/meetings/<int:meeting_id>/room/", RoomConsumer.as_asgi()),
]
