from django.urls import path

from ehcflow.files import views

app_name = "files"

urlpatterns = [
    path("<uuid:public_id>/", views.download, name="download"),
    path("requests/<uuid:public_id>/add/", views.add, name="add"),
]
