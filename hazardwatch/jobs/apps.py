from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "hazardwatch.jobs"
    label = "jobs"
