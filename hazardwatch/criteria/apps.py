from django.apps import AppConfig


class CriteriaConfig(AppConfig):
    name = "hazardwatch.criteria"
    label = "criteria"
