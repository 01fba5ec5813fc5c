from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/export/", views.export_data, name="export"),
    path("settings/delete/", views.delete_account_view, name="delete"),
]
