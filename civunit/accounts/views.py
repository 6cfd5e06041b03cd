from typing import Any

from django.contrib.auth import views as auth_views

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
