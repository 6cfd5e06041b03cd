from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from . import views

app_name = "robots"

urlpatterns = [
    path("", views.robot_list, name="list"),
    path("add/", views.robot_add, name="add"),
    path("<id:pk>/", views.robot_detail, name="detail"),
    path("<id:pk>/edit/", views.robot_edit, name="edit"),
    path("<id:pk>/remove/", views.robot_delete, name="delete"),
    path("<id:pk>/test/", views.robot_test, name="test"),
    path("messages/<id:pk>/resend/", views.message_resend, name="resend"),
]
