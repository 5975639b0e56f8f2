from django.urls import path

from hazardwatch.ops import views

app_name = "ops"

urlpatterns: list = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
