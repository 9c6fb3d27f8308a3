from django.urls import path

from ehcflow.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.scenario_list, name="list"),
    path("new/", views.scenario_edit, name="new"),
    path("from-caseload/", views.scenario_from_caseload, name="from_caseload"),
    path("compare/", views.scenario_compare, name="compare"),
    path("<uuid:public_id>/", views.scenario_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.scenario_edit, name="edit"),
    path("<uuid:public_id>/run/", views.scenario_run, name="run"),
    path("<uuid:public_id>/copy/", views.scenario_copy, name="copy"),
    path("<uuid:public_id>/export.xlsx", views.scenario_export, name="export"),
]
