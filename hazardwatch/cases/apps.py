from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "hazardwatch.cases"
    label = "cases"
