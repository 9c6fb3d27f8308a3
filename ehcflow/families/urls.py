from django.urls import path

from ehcflow.families import views

app_name = "families"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-in/demo/", views.demo_sign_in, name="demo_sign_in"),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join, name="join_with_code"),
    path("sharing/", views.sharing, name="sharing"),
    path("requests/<uuid:public_id>/", views.case, name="case"),
    path("requests/<uuid:public_id>/views/", views.views_form, name="views"),
    path("requests/<uuid:public_id>/documents/", views.document, name="document"),
    path("requests/<uuid:public_id>/draft-plan/", views.draft_response, name="draft_response"),
    path("requests/<uuid:public_id>/meeting/", views.meeting, name="meeting"),
    path("invite/<uuid:public_id>/", views.invite, name="invite"),
]
