from typing import Any

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import reverse_lazy

from . import services
from .forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The page says a session expired only when one did: civunit.middleware.LoginRequiredMiddleware marks
        the redirect when the browser sent a session cookie that no longer signs anyone in."""
        context = super().get_context_data(**kwargs)
        context["session_expired"] = self.request.GET.get("expired") == "1"
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    """The person's own password change; clears a change an administrator required, with its audit row."""

    template_name = "registration/password_change.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["required"] = getattr(self.request.user, "must_change_password", False)
        return context

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_changed(person=form.user, through_link=False)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The page at a one-time link an administrator handed over: the person sets a new password. The link dies
    once used (the token covers the password hash), and when the person signs in."""

    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_changed(person=form.user, through_link=True)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_done.html"
