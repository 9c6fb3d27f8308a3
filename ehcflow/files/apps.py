from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "ehcflow.files"
    label = "files"
    verbose_name = "Files"
