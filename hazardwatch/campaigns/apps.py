from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "hazardwatch.campaigns"
    label = "campaigns"
