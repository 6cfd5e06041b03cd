from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from .views import activities, archive, browse, importing, items, recycle_bin, review, upload, versions

app_name = "evidence"

urlpatterns = [
    # Browsing and search, the standards tree (views/browse.py)
    path("", browse.browse, name="browse"),
    path("standards/", browse.standards_tree, name="standards_tree"),
    path("index.xlsx", browse.index_export, name="index_xlsx"),
    # Uploading files and links, linking an existing item instead of a duplicate (views/upload.py)
    path("upload/", upload.upload, name="upload"),
    path("upload/file/", upload.upload_file, name="upload_file"),
    path("upload/link/", upload.upload_link, name="upload_link"),
    path("<id:pk>/link/", upload.link_existing, name="link_existing"),
    # Bringing an existing archive in: the coordinator's ZIP import and its job (views/importing.py)
    path("import/", importing.import_page, name="import"),
    path("import/upload/", importing.import_upload, name="import_upload"),
    path("import/<id:pk>/", importing.import_job, name="import_job"),
    # An item, its files, the lists of one's own, a standard's and a task's evidence (views/items.py)
    path("mine/", items.mine, name="mine"),
    path("standard/<id:pk>/", items.standard, name="standard"),
    path("task/<id:pk>/", items.task, name="task"),
    path("<id:pk>/", items.detail, name="detail"),
    path("<id:pk>/download/", items.download, name="download"),
    path("<id:pk>/preview/<str:variant>/", items.preview, name="preview"),
    path("<id:pk>/link-into-current/", items.link_into_current, name="link_into_current"),
    # Review (views/review.py)
    path("review/", review.review_queue, name="review"),
    path("review/bulk/", review.bulk_review, name="review_bulk"),
    path("review/<id:pk>/accept/", review.accept, name="accept"),
    path("review/<id:pk>/return/", review.return_item, name="return"),
    # Versions: history, edits, a new file (views/versions.py)
    path("versions/<id:pk>/", versions.versions, name="versions"),
    path("versions/<id:pk>/edit/", versions.edit, name="edit"),
    path("versions/<id:pk>/replace/", versions.replace_form, name="replace_form"),
    path("versions/<id:pk>/replace/upload/", versions.replace, name="replace"),
    # The recycle bin (views/recycle_bin.py)
    path("versions/<id:pk>/delete/", recycle_bin.delete, name="delete"),
    path("recycle-bin/", recycle_bin.recycle_bin, name="recycle_bin"),
    path("recycle-bin/<id:pk>/restore/", recycle_bin.restore, name="restore"),
    path("recycle-bin/<id:pk>/purge/", recycle_bin.purge, name="purge"),
    # Activities (views/activities.py)
    path("activities/", activities.activity_list, name="activities"),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/choices/", activities.activity_choices, name="activity_choices"),
    path("activities/<id:pk>/", activities.activity_detail, name="activity"),
    path("activities/<id:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/<id:pk>/upload/", activities.activity_upload, name="activity_upload"),
    # The binder export and the integrity checks (views/archive.py)
    path("archive/", archive.archive, name="archive"),
    path("archive/export/", archive.archive_export, name="archive_export"),
    path("archive/checks/<id:pk>/", archive.archive_check, name="archive_check"),
]
