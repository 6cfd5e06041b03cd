from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<id:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("<id:pk>/open/", views.notification_open, name="open"),
    path("settings/", views.notification_preferences, name="preferences"),
]
