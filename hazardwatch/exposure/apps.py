from django.apps import AppConfig


class ExposureConfig(AppConfig):
    name = "hazardwatch.exposure"
    label = "exposure"
