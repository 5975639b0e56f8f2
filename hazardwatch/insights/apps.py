from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "hazardwatch.insights"
    label = "insights"
