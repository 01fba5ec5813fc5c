app_name = "room"
urlpatterns: list = []
