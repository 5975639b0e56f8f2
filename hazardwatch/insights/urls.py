from django.urls import path

from hazardwatch.insights import map_views

app_name = "insights"
urlpatterns = [
    path("map/", map_views.public_map, name="map"),
    path("map/staff/", map_views.staff_map, name="staff_map"),
]

# --- statistics dashboard
from hazardwatch.insights import stats_views  # noqa: E402

urlpatterns += [
    path("dashboard/", stats_views.dashboard, name="dashboard"),
    path("dashboard/report.pdf", stats_views.report_pdf, name="dashboard_report"),
]
