from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ehcflow.people"
    label = "people"
    verbose_name = "Staff, teams and roles"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from ehcflow.people.signin import on_signed_in

        # Every sign-in (password or Entra) starts the absolute session clock.
        user_logged_in.connect(on_signed_in, dispatch_uid="ehcflow-signed-in-at")
