from django.urls import path

from hazardwatch.public import criteria_views, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report_create, name="report"),
    path("report/done/", views.report_done, name="report_done"),
    path("report/duplicates/", views.report_duplicates, name="report_duplicates"),
    path("status/", views.status, name="status"),
    path("status/dispute/", views.status_dispute, name="status_dispute"),
    path("status/feedback/", views.status_feedback, name="status_feedback"),
    path("criteria/", criteria_views.criteria_index, name="criteria"),
    path("criteria/<str:code>/<str:edition>/", criteria_views.criteria_edition, name="criteria_edition"),
]
