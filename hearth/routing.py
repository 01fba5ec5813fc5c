"""Every WebSocket route of the project, gathered from the apps."""

from meetings.room.routing import websocket_urlpatterns as room_patterns

websocket_urlpatterns = [*room_patterns]
