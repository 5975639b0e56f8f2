from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "hazardwatch.insights"
    label = "insights"

    def ready(self):
        from hazardwatch.insights import maps

        maps.connect_signals()
