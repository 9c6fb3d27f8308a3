from django.urls import path

from ehcflow.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.team, name="team"),
    path("phase-transfers/", views.phase_transfers, name="phase_transfers"),
    path("transfer-in/", views.transfer_in, name="transfer_in"),
    path("plans/<uuid:public_id>/", views.plan_reviews, name="plan"),
    path("plans/<uuid:public_id>/<slug:step>/", views.plan_step, name="step"),
]
