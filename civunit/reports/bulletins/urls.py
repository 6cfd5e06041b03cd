"""Bulletin URLs, included under /bulletins/ in the read side's namespace (reports:bulletins, reports:bulletin …)."""

from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from . import views

urlpatterns = [
    path("", views.bulletin_list, name="bulletins"),
    path("new/", views.bulletin_create, name="bulletin_create"),
    path("<id:pk>/", views.bulletin_detail, name="bulletin"),
    path("<id:pk>/pdf/", views.bulletin_pdf, name="bulletin_pdf"),
    path("<id:pk>/edit/", views.bulletin_edit, name="bulletin_edit"),
    path("<id:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("<id:pk>/delete/", views.bulletin_delete, name="bulletin_delete"),
]
