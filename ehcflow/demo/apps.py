from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ehcflow.demo"
    label = "demo"
