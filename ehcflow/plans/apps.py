from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "ehcflow.plans"
    label = "plans"
    verbose_name = "EHC plan documents"
