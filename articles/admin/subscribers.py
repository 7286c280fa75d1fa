"""Subscribers: counts, consent records, export, deletion."""

from django.contrib import admin
from django.db.models import Count

from ..exports import csv_download
from ..models import Subscriber

CSV_COLUMNS = [
    "email",
    "status",
    "consent_wording_version",
    "consent_given_at",
    "consent_page",
    "confirmation_sent_at",
    "confirmed_at",
    "unsubscribed_at",
    "created_at",
]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "status", "created_at", "confirmed_at", "consent_page")
    list_filter = ("status",)
    search_fields = ("email",)
    date_hierarchy = "created_at"
    readonly_fields = (*CSV_COLUMNS,)
    fields = readonly_fields
    actions = ["export_csv"]
    change_list_template = "admin/articles/subscriber/change_list.html"

    def has_add_permission(self, request) -> bool:
        # Only the sign-up form adds people: it records their consent and confirms the address.
        return False

    def changelist_view(self, request, extra_context=None):
        counts = dict(Subscriber.objects.values_list("status").annotate(n=Count("pk")).order_by())
        summary = [(label, counts.get(value, 0)) for value, label in Subscriber.Status.choices]
        return super().changelist_view(request, {"status_counts": summary, **(extra_context or {})})

    @admin.action(description="Export selected subscribers to CSV (with consent record)")
    def export_csv(self, request, queryset):
        return csv_download(queryset.order_by("pk"), CSV_COLUMNS, "subscribers")
