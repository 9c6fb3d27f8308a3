from django.urls import path

from ehcflow.plans import views
from ehcflow.plans.output import views as output_views

app_name = "plans"

urlpatterns = [
    path("request/<uuid:request_id>/", views.for_request, name="for_request"),
    path("quality/", views.quality_dashboard, name="quality"),
    path("quality/sample/", views.quality_sample, name="quality_sample"),
    path("quality/audit/<uuid:audit_id>/", views.audit, name="audit"),
    path("<uuid:document_id>/", views.document, name="document"),
    path("<uuid:document_id>/version/<int:number>/", views.version_detail, name="version"),
    path("<uuid:document_id>/version/<int:number>/<slug:fmt>/", output_views.download,
         name="download"),
    path("<uuid:document_id>/differences/", views.diff, name="diff"),
    path("<uuid:document_id>/section/<str:letter>/", views.section, name="section"),
    path("<uuid:document_id>/section/<str:letter>/add/", views.pull, name="pull"),
    path("<uuid:document_id>/section/<str:letter>/remove/", views.remove, name="remove"),
    path("<uuid:document_id>/consultation/", views.consultation, name="consultation"),
    path("<uuid:document_id>/response/", views.response, name="response"),
    path("<uuid:document_id>/new-version/", views.revise, name="revise"),
    path("<uuid:document_id>/final/", views.final, name="final"),
    path("<uuid:document_id>/amend/<uuid:review_id>/", views.amend, name="amend"),
]
