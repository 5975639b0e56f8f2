from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hazardwatch.api"
    label = "api"
