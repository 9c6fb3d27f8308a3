from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "ehcflow.records"
    label = "records"
    verbose_name = "Records management"
