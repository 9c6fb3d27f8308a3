from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ehcflow.audit"
    label = "audit"
    verbose_name = "Audit"
