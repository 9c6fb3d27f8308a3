from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "ehcflow.partners"
    label = "partners"
    verbose_name = "Partners"
