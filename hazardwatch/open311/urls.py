"""Open311 GeoReport v2 under /open311/v2/ (see docs/open311.md)."""
app_name = "open311"
urlpatterns: list = []
