from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hazardwatch.accounts"
    label = "accounts"
