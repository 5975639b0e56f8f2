from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "hazardwatch.rewards"
    label = "rewards"
