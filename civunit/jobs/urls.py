from django.urls import path

from civunit import converters  # noqa: F401  (registers <id:…>)

from . import views

app_name = "jobs"

urlpatterns = [
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/status/", views.status, name="status"),
    path("<id:pk>/download/", views.download, name="download"),
]
