"""Staff pages for API keys (mounted at /staff/apikeys/)."""
from django.urls import path

from hazardwatch.apikeys import views

app_name = "apikeys"
urlpatterns = [
    path("", views.key_list, name="list"),
    path("new/", views.key_issue, name="new"),
    path("<int:pk>/revoke/", views.key_revoke, name="revoke"),
]
