"""Staff pages for webhook subscriptions and their delivery log (see docs/webhooks.md)."""
from django.urls import path

from hazardwatch.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_new, name="new"),
    path("<int:pk>/", views.subscription_detail, name="detail"),
    path("<int:pk>/delete/", views.subscription_delete, name="delete"),
    path("<int:pk>/rotate-secret/", views.subscription_rotate, name="rotate"),
    path("deliveries/<uuid:delivery_id>/replay/", views.delivery_replay, name="replay"),
]
