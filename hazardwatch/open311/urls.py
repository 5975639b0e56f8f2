"""Open311 GeoReport v2 under /open311/v2/ (see docs/open311.md).

One view answers every path, so that unknown paths and format suffixes also get the standard's errors."""
from django.urls import re_path

from hazardwatch.open311 import views

app_name = "open311"
urlpatterns = [
    re_path(r"^(?P<path>.*)$", views.endpoint, name="endpoint"),
]
