from django.urls import path

from ehcflow.casework import views

app_name = "casework"

urlpatterns = [
    path("work/", views.my_work, name="my_work"),
    path("search/", views.search, name="search"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<uuid:public_id>/", views.request_detail, name="request"),
    path("requests/<uuid:public_id>/access-log/", views.access_log, name="access_log"),
    path("requests/<uuid:public_id>/<slug:step>/", views.request_step, name="step"),
    path("children/<uuid:public_id>/", views.child_detail, name="child"),
]
