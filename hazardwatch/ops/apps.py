from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: health and readiness, backup and restore, production-mode helpers (docs/deploy.md)."""

    name = "hazardwatch.ops"
    label = "ops"
