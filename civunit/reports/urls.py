from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/print/", views.dashboard_print, name="dashboard_print"),
]
