from django.contrib.auth.decorators import login_not_required
from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from . import people_views as views
from .views import PasswordResetCompleteView, PasswordResetConfirmView

app_name = "accounts"

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/<id:pk>/", views.person_detail, name="person"),
    path("people/<id:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<id:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<id:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/<id:pk>/password-link/", views.person_reset_link, name="person_reset_link"),
    path("people/<id:pk>/force-password-change/", views.person_force_change, name="person_force_change"),
    path("offices/", views.office_list, name="offices"),
    path("offices/add/", views.office_add, name="office_add"),
    path("offices/<id:pk>/edit/", views.office_edit, name="office_edit"),
    path("offices/<id:pk>/delete/", views.office_delete, name="office_delete"),
    # the one-time link an administrator hands over (Django's token: dies once the password is set)
    path(
        "accounts/set-password/<uidb64>/<token>/",
        login_not_required(PasswordResetConfirmView.as_view()),
        name="password_reset",
    ),
    path(
        "accounts/set-password/done/",
        login_not_required(PasswordResetCompleteView.as_view()),
        name="password_reset_done",
    ),
]
