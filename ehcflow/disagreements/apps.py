from django.apps import AppConfig


class DisagreementsConfig(AppConfig):
    name = "ehcflow.disagreements"
    label = "disagreements"
    verbose_name = "Disagreements and appeals"
