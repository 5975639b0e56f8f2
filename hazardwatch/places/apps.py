from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "hazardwatch.places"
    label = "places"
