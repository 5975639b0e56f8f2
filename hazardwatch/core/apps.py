from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hazardwatch.core"
    verbose_name = "Core"
