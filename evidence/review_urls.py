"""URLs of review, versions, the recycle bin, activities and browsing (included by evidence/urls.py, so they
live in the `evidence` namespace)."""

from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from . import activity_views, browse_views, review_views

urlpatterns = [
    path("standards/", browse_views.standards_tree, name="standards_tree"),
    path("review/", review_views.review_queue, name="review"),
    path("review/bulk/", review_views.bulk_review, name="review_bulk"),
    path("review/<id:pk>/accept/", review_views.accept, name="accept"),
    path("review/<id:pk>/return/", review_views.return_item, name="return"),
    path("versions/<id:pk>/", review_views.versions, name="versions"),
    path("versions/<id:pk>/edit/", review_views.edit, name="edit"),
    path("versions/<id:pk>/replace/", review_views.replace_form, name="replace_form"),
    path("versions/<id:pk>/replace/upload/", review_views.replace, name="replace"),
    path("versions/<id:pk>/delete/", review_views.delete, name="delete"),
    path("recycle-bin/", review_views.recycle_bin, name="recycle_bin"),
    path("recycle-bin/<id:pk>/restore/", review_views.restore, name="restore"),
    path("recycle-bin/<id:pk>/purge/", review_views.purge, name="purge"),
    path("activities/", activity_views.activity_list, name="activities"),
    path("activities/new/", activity_views.activity_create, name="activity_create"),
    path("activities/<id:pk>/", activity_views.activity_detail, name="activity"),
    path("activities/<id:pk>/edit/", activity_views.activity_edit, name="activity_edit"),
    path("activities/<id:pk>/upload/", activity_views.activity_upload, name="activity_upload"),
]
