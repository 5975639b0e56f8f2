from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "hazardwatch.reports"
    label = "reports"
