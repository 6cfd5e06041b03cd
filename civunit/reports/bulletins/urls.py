"""Bulletin URLs, included under /bulletins/ in the read side's namespace (reports:bulletins, reports:bulletin …)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.bulletin_list, name="bulletins"),
    path("new/", views.bulletin_create, name="bulletin_create"),
    path("<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("<int:pk>/edit/", views.bulletin_edit, name="bulletin_edit"),
    path("<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("<int:pk>/delete/", views.bulletin_delete, name="bulletin_delete"),
]
