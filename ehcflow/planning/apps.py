from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "ehcflow.planning"
    label = "planning"
    verbose_name = "Recovery planning"
