from django.urls import include, path

from . import views
from .audit import urls as audit_urls
from .bulletins import urls as bulletin_urls
from .readiness import urls as readiness_urls

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/print/", views.dashboard_print, name="dashboard_print"),
    path("bulletins/", include(bulletin_urls)),
    path("readiness/", include(readiness_urls)),
    path("audit/", include(audit_urls)),
]
