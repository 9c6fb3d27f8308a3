from django.urls import path

from ehcflow.partners import views

app_name = "partners"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("advice/<uuid:public_id>/", views.advice, name="advice"),
    path("advice/<uuid:public_id>/send/", views.assign, name="assign"),
    path("consultations/<uuid:public_id>/", views.consultation, name="consultation"),
    path("requests/<uuid:public_id>/consult/", views.consult, name="consult"),
    path("timeliness/", views.timeliness, name="timeliness"),
    path("staff/", views.staff, name="staff"),
    path("staff/<uuid:public_id>/remove/", views.staff_remove, name="staff_remove"),
    path("measures/", views.measures, name="measures"),
]
