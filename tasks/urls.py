from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from . import excel_views, views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("mine/", views.my_tasks, name="mine"),
    path("office/", views.office_tasks, name="office"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("new/", views.task_create, name="create"),
    path("choices/", views.task_choices, name="choices"),
    path("<id:pk>/", views.task_detail, name="detail"),
    path("<id:pk>/start/", views.task_start, name="start"),
    path("<id:pk>/check-off/", views.task_check_off, name="check_off"),
    path("<id:pk>/accept/", views.task_accept, name="accept"),
    path("<id:pk>/return/", views.task_return, name="return"),
    path("<id:pk>/resume/", views.task_resume, name="resume"),
    path("<id:pk>/progress/", views.task_progress, name="progress"),
    path("<id:pk>/split/", views.task_split, name="split"),
    path("<id:pk>/assign/", views.task_assign, name="assign"),
    path("<id:pk>/edit/", views.task_edit, name="edit"),
    # The Excel round trip (tasks/excel_views.py)
    path("excel/", excel_views.excel_import, name="excel_import"),
    path("excel/<str:digest>/preview/", excel_views.excel_preview, name="excel_preview"),
    path("excel/<str:digest>/apply/", excel_views.excel_apply, name="excel_apply"),
    path("excel/imports/<id:pk>/", excel_views.excel_result, name="excel_result"),
    path("excel/export/", excel_views.excel_export, name="excel_export"),
]
