from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "hazardwatch.risk"
    label = "risk"
