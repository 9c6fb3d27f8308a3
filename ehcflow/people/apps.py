from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ehcflow.people"
    label = "people"
    verbose_name = "Staff, teams and roles"
