"""Audit trail URLs, included under /audit/ in the read side's namespace (reports:audit …)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.audit_trail, name="audit"),
    path("export/", views.audit_export, name="audit_export"),
]
