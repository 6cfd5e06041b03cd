from django.urls import include, path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from . import views
from .audit import urls as audit_urls
from .bulletins import urls as bulletin_urls
from .readiness import urls as readiness_urls
from .report import views as report_views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/print/", views.dashboard_print, name="dashboard_print"),
    path("bulletins/", include(bulletin_urls)),
    path("readiness/", include(readiness_urls)),
    path("audit/", include(audit_urls)),
    path("report/", report_views.report_page, name="report"),
    path("report/new/", report_views.report_start, name="report_start"),
    path("report/<id:pk>/", report_views.record_detail, name="report_record"),
    path("report/<id:pk>/pdf/", report_views.record_pdf, name="report_record_pdf"),
    path("report/<id:pk>/docx/", report_views.record_docx, name="report_record_docx"),
    path("report/<id:pk>/sent/", report_views.record_sent, name="report_record_sent"),
]
