from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "ehcflow.insight"
    label = "insight"
    verbose_name = "Insight"
