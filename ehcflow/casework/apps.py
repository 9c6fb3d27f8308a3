from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "ehcflow.casework"
    label = "casework"
    verbose_name = "Casework"
