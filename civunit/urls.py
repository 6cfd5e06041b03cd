from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from civunit import views
from civunit.accounts import views as account_views

admin.site.site_header = _("Civilized unit campaign: administration")
admin.site.site_title = _("Civilized unit campaign")

urlpatterns = [
    path("", include("civunit.reports.urls")),
    path("healthz", views.healthz, name="healthz"),
    # browsers ask for /favicon.ico whatever the page says: the static file's (hashed) address
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", login_not_required(account_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    # the people and offices pages (/people/, /offices/) and the one-time password links
    path("", include("civunit.accounts.urls")),
    path("campaign/", include("campaign.urls")),
    path("tasks/", include("tasks.urls")),
    path("evidence/", include("evidence.urls")),
    path("jobs/", include("civunit.jobs.urls")),
    path("notifications/", include("civunit.notifications.urls")),
    path("robots/", include("civunit.notifications.robots.urls")),
]

handler400 = "civunit.views.bad_request"
handler403 = "civunit.views.permission_denied"
handler404 = "civunit.views.page_not_found"
handler500 = "civunit.views.server_error"
