"""Families and young people."""
from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "ehcflow.families"
    label = "families"
    verbose_name = "Families and young people"

    def ready(self) -> None:
        # A family opens the letters, draft plans and their own uploads on their children's
        # cases (files.access asks every registered checker).
        from ehcflow.families.access import family_may_open
        from ehcflow.files.access import register_checker

        register_checker(family_may_open)
        # A message to the family at each statutory step the services record.
        from django.db.models.signals import post_save

        from ehcflow.casework.models import CaseEvent
        from ehcflow.families.messages import on_case_event

        post_save.connect(on_case_event, sender=CaseEvent,
                          dispatch_uid="families-tell-the-family")
