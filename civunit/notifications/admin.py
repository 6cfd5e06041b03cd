from django.contrib import admin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "text", "day", "read_at", "emailed_at"]
    list_filter = ["kind", "day"]
    list_select_related = ["recipient"]
    search_fields = ["text", "recipient__username", "recipient__real_name"]
    raw_id_fields = ["recipient", "actor"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email"]
    list_filter = ["kind", "email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
