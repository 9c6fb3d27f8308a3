"""Partners."""
from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "ehcflow.partners"
    label = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        # A partner opens the documents sent with the advice asked of them.
        from ehcflow.files.access import register_checker
        from ehcflow.partners.access import partner_may_open

        register_checker(partner_may_open)
