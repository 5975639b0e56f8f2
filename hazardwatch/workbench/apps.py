from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "hazardwatch.workbench"
    label = "workbench"
