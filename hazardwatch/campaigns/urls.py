from django.urls import path

from hazardwatch.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.unit_index, name="index"),
    path("campaigns/<int:campaign_id>/unit/<int:unit_id>/", views.unit_page, name="unit"),
    path("campaigns/<int:campaign_id>/unit/<int:unit_id>/liaison/", views.unit_liaison, name="unit_liaison"),
    path("campaigns/<int:campaign_id>/unit/<int:unit_id>/activities/", views.unit_activity, name="unit_activity"),
    path("campaigns/<int:campaign_id>/unit/<int:unit_id>/summary/", views.unit_summary, name="unit_summary"),
    path("staff/campaigns/", views.office_index, name="office"),
    path("staff/campaigns/new/", views.office_new, name="office_new"),
    path("staff/campaigns/<int:campaign_id>/", views.office_detail, name="office_detail"),
    path("staff/campaigns/<int:campaign_id>/edit/", views.office_edit, name="office_edit"),
    path("staff/campaigns/<int:campaign_id>/remind/", views.office_remind, name="office_remind"),
    path("staff/campaigns/<int:campaign_id>/rollup.xlsx", views.office_xlsx, name="office_xlsx"),
    path("staff/campaigns/<int:campaign_id>/rollup.pdf", views.office_pdf, name="office_pdf"),
]
