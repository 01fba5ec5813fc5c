from django.urls import path

from meetings.wellbeing import views

app_name = "wellbeing"
urlpatterns = [
    path("meetings/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("meetings/<int:pk>/check-out/", views.check_out, name="check_out"),
    path("meetings/<int:pk>/agree/", views.agree, name="agree"),
    path("meetings/<int:pk>/insights/", views.meeting_insights, name="insights"),
    path("circles/<slug:slug>/toolbox/", views.toolbox, name="toolbox"),
    path("circles/<slug:slug>/toolbox/add/", views.add_strategy, name="add"),
    path("circles/<slug:slug>/toolbox/review/", views.review, name="review"),
    path(
        "circles/<slug:slug>/toolbox/<int:strategy_id>/review/",
        views.review_decide,
        name="review_decide",
    ),
    path("circles/<slug:slug>/toolbox/<int:strategy_id>/helped/", views.helped, name="helped"),
    path("circles/<slug:slug>/toolbox/<int:strategy_id>/save/", views.save, name="save"),
    path("circles/<slug:slug>/toolbox/<int:strategy_id>/unsave/", views.unsave, name="unsave"),
    path("circles/<slug:slug>/toolbox/<int:strategy_id>/report/", views.report, name="report"),
]
