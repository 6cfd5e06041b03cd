from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import home_summary


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/home.html", {"summary": home_summary(request.user)})
