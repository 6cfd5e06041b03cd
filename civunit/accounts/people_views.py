"""The people and offices pages, for administrators: lists, adding and changing people and offices, deactivating,
password links and forced password changes. Every change goes through civunit.accounts.services (with its audit
row); who may open what is civunit.accounts.access."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civunit.http import AuthenticatedHttpRequest

from . import access, services
from .forms import OfficeForm, PersonForm
from .models import AccountEvent, Office, User
from .roles import GROUP_NAMES

HISTORY_LIMIT = 30


def _events(**where) -> list[AccountEvent]:
    return list(AccountEvent.objects.filter(**where).select_related("actor")[:HISTORY_LIMIT])


# --- People ---------------------------------------------------------------------------------------------------


@require_GET
def people_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    # NUL is no character of a name (and PostgreSQL refuses it in a query): dropped, like surrounding spaces
    q = request.GET.get("q", "").replace("\x00", "").strip()[:50]
    people = User.objects.select_related("office").prefetch_related("groups").order_by("office__ordering", "real_name")
    if q:
        people = people.filter(Q(real_name__icontains=q) | Q(username__icontains=q) | Q(office__name__icontains=q))
    rows: list[dict] = []
    for person in people:
        names = {g.name for g in person.groups.all()}
        roles = [name for name in GROUP_NAMES.values() if name in names]
        if person.is_superuser and GROUP_NAMES[services.Role.ADMIN] not in roles:
            roles.append(GROUP_NAMES[services.Role.ADMIN])
        rows.append({"person": person, "roles": roles})
    active = [r for r in rows if r["person"].is_active]
    inactive = [r for r in rows if not r["person"].is_active]
    return render(request, "accounts/people_list.html", {"active": active, "inactive": inactive, "q": q})


@require_http_methods(["GET", "POST"])
def person_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.values)
            link = services.password_reset_link(actor=request.user, person=person)
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            return _link_page(request, person, link, created=True)
    return render(request, "accounts/person_form.html", {"form": form, "person": None})


def _link_page(request: AuthenticatedHttpRequest, person: User, path: str, created: bool = False) -> HttpResponse:
    return render(
        request,
        "accounts/person_link.html",
        {"person": person, "link": request.build_absolute_uri(path), "created": created},
    )


@require_GET
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    roles = sorted(GROUP_NAMES[r] for r in services.person_roles(person))
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "roles": roles,
            "headed": list(Office.objects.filter(head=person)),
            "events": _events(person=person),
            "is_self": person.pk == request.user.pk,
        },
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    form = PersonForm(request.POST or None, person=person, roles=services.person_roles(person))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, **form.values)
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("accounts:person", pk=person.pk)
    return render(request, "accounts/person_form.html", {"form": form, "person": person})


def _act(request: AuthenticatedHttpRequest, person: User, action, done: str) -> HttpResponse:
    try:
        action()
    except services.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("accounts:person", pk=person.pk)


@require_POST
def person_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    return _act(
        request,
        person,
        lambda: services.person_set_active(actor=request.user, person=person, active=False),
        _("The account is deactivated: the person is signed out at their next request and cannot sign in."),
    )


@require_POST
def person_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    return _act(
        request,
        person,
        lambda: services.person_set_active(actor=request.user, person=person, active=True),
        _("The account is active again. The person signs in anew."),
    )


@require_POST
def person_force_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    return _act(
        request,
        person,
        lambda: services.force_password_change(actor=request.user, person=person),
        _("The person must change their password before they can do anything else."),
    )


@require_POST
def person_reset_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.get_person_for_user(request.user, pk)
    try:
        link = services.password_reset_link(actor=request.user, person=person)
    except services.AccountError as error:
        messages.error(request, str(error))
        return redirect("accounts:person", pk=person.pk)
    return _link_page(request, person, link)


# --- Offices --------------------------------------------------------------------------------------------------


@require_GET
def office_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    offices = Office.objects.select_related("head").annotate(people=Count("members", filter=Q(members__is_active=True)))
    return render(request, "accounts/office_list.html", {"offices": list(offices)})


@require_http_methods(["GET", "POST"])
def office_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_manage(request.user)
    return _office_form(request, None)


@require_http_methods(["GET", "POST"])
def office_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _office_form(request, access.get_office_for_user(request.user, pk))


def _office_form(request: AuthenticatedHttpRequest, office: Office | None) -> HttpResponse:
    form = OfficeForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.office_save(actor=request.user, office=office, **form.values)
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("accounts:offices")
    events = _events(office=office) if office is not None else []
    members = (
        list(office.members.filter(is_active=True).order_by("real_name").prefetch_related(Prefetch("groups")))
        if office is not None
        else []
    )
    return render(
        request, "accounts/office_form.html", {"form": form, "office": office, "events": events, "members": members}
    )


@require_http_methods(["GET", "POST"])
def office_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    office = access.get_office_for_user(request.user, pk)
    members = office.members.count()
    if request.method == "POST":
        try:
            services.office_delete(actor=request.user, office=office)
        except services.AccountError as error:
            messages.error(request, str(error))
            return redirect("accounts:office_delete", pk=office.pk)
        messages.success(request, _("“%(name)s” is deleted.") % {"name": office.name})
        return redirect("accounts:offices")
    return render(request, "accounts/office_delete.html", {"office": office, "members": members})
