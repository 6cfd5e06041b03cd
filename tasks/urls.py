from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("mine/", views.my_tasks, name="mine"),
    path("office/", views.office_tasks, name="office"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/start/", views.task_start, name="start"),
    path("<int:pk>/check-off/", views.task_check_off, name="check_off"),
    path("<int:pk>/accept/", views.task_accept, name="accept"),
    path("<int:pk>/return/", views.task_return, name="return"),
    path("<int:pk>/resume/", views.task_resume, name="resume"),
    path("<int:pk>/progress/", views.task_progress, name="progress"),
    path("<int:pk>/split/", views.task_split, name="split"),
    path("<int:pk>/assign/", views.task_assign, name="assign"),
]
