from django.urls import path

from hazardwatch.rewards import views

app_name = "rewards"
urlpatterns = [
    path("rewards/claim/", views.claim, name="claim"),
    path("staff/rewards/", views.staff_queue, name="staff_queue"),
    path("staff/rewards/ledger/", views.staff_ledger, name="staff_ledger"),
    path("staff/rewards/cases/<int:case_id>/propose/", views.staff_propose, name="staff_propose"),
    path("staff/rewards/<int:assessment_id>/", views.staff_detail, name="staff_detail"),
    path("staff/rewards/<int:assessment_id>/claim/", views.staff_claim, name="staff_claim"),
    path("staff/rewards/<int:assessment_id>/<slug:action>/", views.staff_action, name="staff_action"),
]
