from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from civunit import access

from .models import Office, User
from .signals import person_changed

# The admin is for administrators only (not for every is_staff account).
# (Set on the one site instance, which mypy's method-assign check forbids by default.)
admin.site.has_permission = lambda request: (  # type: ignore[method-assign]
    request.user.is_authenticated and access.can_use_admin(request.user)
)


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "head", "ordering"]
    list_editable = ["ordering"]
    list_select_related = ["head"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["head"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "real_name", "office", "position", "is_active"]
    list_select_related = ["office"]
    list_filter = ["office", "groups", "is_active"]
    search_fields = ["username", "real_name"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Organ"), {"fields": ("real_name", "office", "position", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Organ"), {"fields": ("real_name", "office", "position", "phone")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "real_name" in form.changed_data or "is_active" in form.changed_data:
            # e.g. tasks imported with this person's name before the account existed now name the account.
            person_changed.send(sender=User, user=obj)
