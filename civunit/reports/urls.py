from django.urls import include, path

from . import views
from .bulletins import urls as bulletin_urls

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/print/", views.dashboard_print, name="dashboard_print"),
    path("bulletins/", include(bulletin_urls)),
]
