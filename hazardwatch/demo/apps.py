from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "hazardwatch.demo"
    label = "demo"
