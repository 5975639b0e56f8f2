from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "hazardwatch.public"
    label = "public"
