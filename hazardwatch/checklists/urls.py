from django.urls import path

from hazardwatch.checklists import views

app_name = "checklists"
urlpatterns = [
    path("checklists/", views.index, name="index"),
    path("checklists/start/", views.start, name="start"),
    path("checklists/run/<str:token>/", views.run_page, name="run"),
    path("checklists/run/<str:token>/items/<str:item>/report/", views.report_item, name="report_item"),
    path("staff/checklists/", views.staff_inspections, name="staff"),
    path("staff/checklists/inspections/<int:pk>/start/", views.staff_inspection_start, name="staff_start"),
]
