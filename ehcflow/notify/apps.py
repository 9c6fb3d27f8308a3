from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "ehcflow.notify"
    label = "notify"
    verbose_name = "Messages"
