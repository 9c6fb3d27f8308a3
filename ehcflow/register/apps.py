from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "ehcflow.register"
    label = "register"
