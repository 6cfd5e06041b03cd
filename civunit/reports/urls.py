from django.urls import include, path

from . import views
from .bulletins import urls as bulletin_urls

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("bulletins/", include(bulletin_urls)),
]
