"""URL configuration: pages only; every path uses opaque identifiers, never personal data."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("ehcflow.web.urls")),
]
