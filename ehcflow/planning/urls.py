from django.urls import path

from ehcflow.planning import backtest_views, views

app_name = "planning"

urlpatterns = [
    path("", views.scenario_list, name="list"),
    path("new/", views.scenario_toml, name="new"),
    path("from-caseload/", views.scenario_from_caseload, name="from_caseload"),
    path("compare/", views.scenario_compare, name="compare"),
    path("backtests/", backtest_views.backtests, name="backtests"),
    path("backtests/run/", backtest_views.backtests_run, name="backtests_run"),
    path("<uuid:public_id>/", views.scenario_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.scenario_edit, name="edit"),
    path("<uuid:public_id>/edit/as-text/", views.scenario_toml, name="edit_toml"),
    path("<uuid:public_id>/edit/<slug:section>/", views.scenario_section, name="section"),
    path("<uuid:public_id>/edit/<slug:kind>/add/", views.scenario_item, name="item_add"),
    path("<uuid:public_id>/edit/<slug:kind>/<int:index>/", views.scenario_item, name="item"),
    path("<uuid:public_id>/edit/<slug:kind>/<int:index>/<slug:action>/",
         views.scenario_item_action, name="item_action"),
    path("<uuid:public_id>/scenario.toml", views.scenario_download_toml, name="download_toml"),
    path("<uuid:public_id>/runs/<uuid:run_id>/", views.run_progress, name="run_progress"),
    path("<uuid:public_id>/run/", views.scenario_run, name="run"),
    path("<uuid:public_id>/copy/", views.scenario_copy, name="copy"),
    path("<uuid:public_id>/export.xlsx", views.scenario_export, name="export"),
]
