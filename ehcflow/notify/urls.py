from django.urls import path

from ehcflow.notify import views

app_name = "notify"

urlpatterns = [
    path("delivery-receipts/", views.delivery_receipt, name="delivery_receipt"),
]
