from django.urls import path

from ehcflow.disagreements import views

app_name = "disagreements"

urlpatterns = [
    path("appeals/", views.open_appeals, name="open_appeals"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("children/<uuid:public_id>/", views.child_page, name="child"),
    path("children/<uuid:public_id>/<slug:kind>/new/", views.start, name="start"),
    path("mediation/<uuid:public_id>/", views.mediation, name="mediation"),
    path("appeal/<uuid:public_id>/", views.appeal, name="appeal"),
    path("appeal/<uuid:public_id>/orders/new/", views.order_new, name="order_new"),
    path("orders/<uuid:public_id>/", views.order_comply, name="order_comply"),
]
