from django.urls import path

from hazardwatch.drills import views

app_name = "drills"

urlpatterns = [
    path("staff/drills/", views.drill_list, name="list"),
    path("staff/drills/export.xlsx", views.drill_export, name="export"),
    path("staff/drills/new/", views.drill_new, name="new"),
    path("staff/drills/<int:drill_id>/", views.drill_detail, name="detail"),
    path("staff/drills/<int:drill_id>/edit/", views.drill_edit, name="edit"),
    path("staff/drills/<int:drill_id>/start/", views.drill_start, name="start"),
    path("staff/drills/<int:drill_id>/cancel/", views.drill_cancel, name="cancel"),
    path("staff/drills/<int:drill_id>/record/", views.drill_record, name="record"),
    path("staff/drills/<int:drill_id>/observe/", views.drill_observe, name="observe"),
    path("staff/drills/<int:drill_id>/issues/", views.drill_issue, name="issue"),
    path("staff/drills/photos/<int:photo_id>/", views.drill_photo, name="photo"),
]
