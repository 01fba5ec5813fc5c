from django.urls import path

from circles import views

app_name = "circles"
urlpatterns = [
    path("circles/", views.discover, name="discover"),
    path("circles/new/", views.create, name="create"),
    path("circles/invite/<str:token>/", views.invite, name="invite"),
    path("circles/<slug:slug>/", views.detail, name="detail"),
    path("circles/<slug:slug>/agreements/", views.agreements, name="agreements"),
    path("circles/<slug:slug>/agreements/accept/", views.accept, name="accept"),
    path("circles/<slug:slug>/join/", views.join, name="join"),
    path("circles/<slug:slug>/leave/", views.leave, name="leave"),
    path("circles/<slug:slug>/manage/", views.manage, name="manage"),
    path(
        "circles/<slug:slug>/manage/agreements/",
        views.edit_agreements,
        name="edit_agreements",
    ),
    path("circles/<slug:slug>/manage/invites/", views.create_invite, name="create_invite"),
    path(
        "circles/<slug:slug>/manage/invites/<int:invite_id>/revoke/",
        views.revoke_invite,
        name="revoke_invite",
    ),
    path(
        "circles/<slug:slug>/manage/members/<int:membership_id>/<str:verb>/",
        views.member_action,
        name="member_action",
    ),
    path("me/circles/", views.my_circles, name="mine"),
]
