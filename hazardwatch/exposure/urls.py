from django.urls import path

from hazardwatch.exposure import views

app_name = "exposure"
urlpatterns = [
    path("exposure/", views.column, name="column"),
    path("exposure/feed.atom", views.feed, name="feed"),
    path("exposure/<int:publication_id>/", views.detail, name="detail"),
    path("exposure/photos/<int:photo_id>.jpg", views.photo, name="photo"),
    path("staff/exposure/", views.staff_queue, name="staff_queue"),
    path("staff/exposure/propose/<int:case_id>/", views.staff_propose, name="staff_propose"),
    path("staff/exposure/<int:publication_id>/", views.staff_publication, name="staff_publication"),
    path("staff/exposure/<int:publication_id>/redaction/", views.staff_redact, name="staff_redact"),
    path("staff/exposure/<int:publication_id>/actions/<slug:action>/", views.staff_action, name="staff_action"),
    path("staff/exposure/photos/<int:photo_id>/", views.staff_photo, name="staff_photo"),
]
