from django.urls import path

from ehcflow.sen2 import views

app_name = "sen2"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:year>/download/", views.download, name="download"),
]
