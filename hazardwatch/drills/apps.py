from django.apps import AppConfig


class DrillsConfig(AppConfig):
    name = "hazardwatch.drills"
    label = "drills"
