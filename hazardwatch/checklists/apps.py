from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "hazardwatch.checklists"
    label = "checklists"
