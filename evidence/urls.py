from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from .views import activities, browse, upload, versions

app_name = "evidence"

urlpatterns = [
    path("", browse.browse, name="browse"),
    path("upload/", upload.upload, name="upload"),
    path("upload/file/", upload.upload_file, name="upload_file"),
    path("upload/link/", upload.upload_link, name="upload_link"),
    path("mine/", upload.mine, name="mine"),
    path("standard/<id:pk>/", upload.standard, name="standard"),
    path("task/<id:pk>/", upload.task, name="task"),
    path("<id:pk>/", upload.detail, name="detail"),
    path("<id:pk>/link/", upload.link_existing, name="link_existing"),
    path("<id:pk>/download/", upload.download, name="download"),
    path("<id:pk>/preview/<str:variant>/", upload.preview, name="preview"),
    # Review, versions, recycle bin, activities, browsing and search (issue 8).
    path("standards/", browse.standards_tree, name="standards_tree"),
    path("review/", versions.review_queue, name="review"),
    path("review/bulk/", versions.bulk_review, name="review_bulk"),
    path("review/<id:pk>/accept/", versions.accept, name="accept"),
    path("review/<id:pk>/return/", versions.return_item, name="return"),
    path("versions/<id:pk>/", versions.versions, name="versions"),
    path("versions/<id:pk>/edit/", versions.edit, name="edit"),
    path("versions/<id:pk>/replace/", versions.replace_form, name="replace_form"),
    path("versions/<id:pk>/replace/upload/", versions.replace, name="replace"),
    path("versions/<id:pk>/delete/", versions.delete, name="delete"),
    path("recycle-bin/", versions.recycle_bin, name="recycle_bin"),
    path("recycle-bin/<id:pk>/restore/", versions.restore, name="restore"),
    path("recycle-bin/<id:pk>/purge/", versions.purge, name="purge"),
    path("activities/", activities.activity_list, name="activities"),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<id:pk>/", activities.activity_detail, name="activity"),
    path("activities/<id:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/<id:pk>/upload/", activities.activity_upload, name="activity_upload"),
]
