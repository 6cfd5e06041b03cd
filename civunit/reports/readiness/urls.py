"""Readiness URLs, included under /readiness/ in the read side's namespace (reports:readiness …)."""

from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from . import views

urlpatterns = [
    path("", views.readiness, name="readiness"),
    path("export/", views.readiness_export, name="readiness_export"),
    path("recheck/", views.recheck, name="readiness_recheck"),
    path("<id:pk>/rectify/", views.rectify, name="readiness_rectify"),
]
