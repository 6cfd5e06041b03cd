from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civunit.http import AuthenticatedHttpRequest

from .access import get_notification_for_user
from .forms import PreferencesForm
from .models import Notification, NotificationPreference
from .services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_set,
    visible_notifications,
)

PAGE_SIZE = 20


def _back_to_list(request: HttpRequest) -> HttpResponseRedirect:
    """Back to the list as the user saw it (same filter and page)."""
    params = {}
    if request.POST.get("show") == "unread":
        params["show"] = "unread"
    page = request.POST.get("page", "")
    if page.isdigit() and page != "1":
        params["page"] = page
    url = reverse("notifications:list")
    return redirect(f"{url}?{urlencode(params)}" if params else url)


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    notifications = visible_notifications(request.user).select_related("actor")
    if unread_only:
        notifications = notifications.unread()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page_obj": page,
            "notifications": page.object_list,
            "unread_only": unread_only,
            "has_unread": any(not n.is_read for n in page),
        },
    )


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    notification_mark_read(user=request.user, notification=notification)
    return _back_to_list(request)


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return _back_to_list(request)


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks the notification read and goes to its object."""
    notification = get_notification_for_user(request.user, pk)
    notification_mark_read(user=request.user, notification=notification)
    url = notification.url
    if not url:
        get_url = getattr(notification.target, "get_absolute_url", None)
        url = get_url() if callable(get_url) else ""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return _back_to_list(request)
    return redirect(url)


@require_http_methods(["GET", "POST"])
def notification_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            notification_preferences_set(user=request.user, email_kinds=form.cleaned_data["email_kinds"])
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    else:
        chosen = NotificationPreference.objects.filter(user=request.user, email=True).values_list("kind", flat=True)
        form = PreferencesForm(initial={"email_kinds": list(chosen)})
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(request.user.email), "kinds": Notification.Kind},
    )
