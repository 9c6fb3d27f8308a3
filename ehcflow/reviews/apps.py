from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "ehcflow.reviews"
    label = "reviews"
    verbose_name = "Reviews and phase transfers"
