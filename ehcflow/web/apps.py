from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ehcflow.web"
    label = "web"
