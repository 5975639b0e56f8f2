from django.urls import path

from hazardwatch.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.index, name="index"),
    path("map/", views.risk_map, name="map"),
    path("org/<int:org_id>/", views.org_list, name="org"),
    path("org/<int:org_id>/export.xlsx", views.org_export, name="org_export"),
    path("org/<int:org_id>/new/", views.point_new, name="point_new"),
    path("region/<str:code>/", views.region_list, name="region"),
    path("region/<str:code>/export.xlsx", views.region_export, name="region_export"),
    path("points/<int:point_id>/", views.point_detail, name="point"),
    path("points/<int:point_id>/cases/", views.point_link_case, name="point_link_case"),
    path("points/<int:point_id>/cases/<int:case_id>/unlink/", views.point_unlink_case, name="point_unlink_case"),
]
