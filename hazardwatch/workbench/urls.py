from django.contrib.auth import views as auth_views
from django.urls import path

from hazardwatch.workbench import views

app_name = "workbench"
urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/code/", views.login_totp, name="login_totp"),
    path("security/two-factor/", views.two_factor, name="two_factor"),
    path("logout/", auth_views.LogoutView.as_view(next_page="workbench:login"), name="logout"),
    path("", views.queue, name="queue"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("reporters/flagged/", views.flagged_reporters, name="flagged_reporters"),
    path("cases/<int:case_id>/actions/<slug:action>/", views.case_action, name="case_action"),
    path("cases/<int:case_id>/evidence/", views.case_evidence, name="case_evidence"),
    path("cases/<int:case_id>/reporters/", views.case_reporters, name="case_reporters"),
    path("photos/report/<int:photo_id>/", views.report_photo, name="report_photo"),
    path("photos/evidence/<int:photo_id>/", views.evidence_photo, name="evidence_photo"),
]
