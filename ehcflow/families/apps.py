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
