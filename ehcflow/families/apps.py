from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "ehcflow.families"
    label = "families"
    verbose_name = "Families and young people"
