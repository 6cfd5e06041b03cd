from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from . import browse_views, review_urls, views

app_name = "evidence"

urlpatterns = [
    path("", browse_views.browse, name="browse"),
    path("upload/", views.upload, name="upload"),
    path("upload/file/", views.upload_file, name="upload_file"),
    path("upload/link/", views.upload_link, name="upload_link"),
    path("mine/", views.mine, name="mine"),
    path("standard/<id:pk>/", views.standard, name="standard"),
    path("task/<id:pk>/", views.task, name="task"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/link/", views.link_existing, name="link_existing"),
    path("<id:pk>/download/", views.download, name="download"),
    path("<id:pk>/preview/<str:variant>/", views.preview, name="preview"),
]

# Review, versions, recycle bin, activities, browsing and search (issue 8).
urlpatterns += review_urls.urlpatterns
