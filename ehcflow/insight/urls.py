from django.urls import path

from ehcflow.insight import views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, {"key": "overview"}, name="overview"),
    path("timeliness/", views.dashboard, {"key": "timeliness"}, name="timeliness"),
    path("backlog/", views.dashboard, {"key": "backlog"}, name="backlog"),
    path("demand/", views.dashboard, {"key": "demand"}, name="demand"),
    path("advice/", views.dashboard, {"key": "advice"}, name="advice"),
    path("caseloads/", views.dashboard, {"key": "caseloads"}, name="caseloads"),
    path("reviews/", views.dashboard, {"key": "reviews"}, name="reviews"),
    path("cases/", views.cases, name="cases"),
    path("charts/<slug:key>/<slug:chart_key>.svg", views.chart, name="chart"),
    path("board-pack/<slug:fmt>/", views.board_pack, name="board_pack"),
]
