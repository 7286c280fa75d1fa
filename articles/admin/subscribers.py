"""Subscribers: counts, consent records, export; and answering a person's request about their
data (find them by address, download what is held, delete them), each step logged without the
address."""

import logging

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path

from ..csvdownloads import csv_download
from ..models import Delivery, Subscriber

logger = logging.getLogger(__name__)

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


class EmailTroubleFilter(admin.SimpleListFilter):
    title = "emails that failed"
    parameter_name = "failed"

    def lookups(self, request, model_admin):
        return [
            ("confirmation", "Confirmation email not sent"),
            ("update", "Update email not sent"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "confirmation":
            return queryset.awaiting_confirmation_email()
        if self.value() == "update":
            failed = Delivery.objects.failed().filter(subscriber=OuterRef("pk"))
            return queryset.filter(Exists(failed))
        return queryset


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "status", "created_at", "confirmed_at", "consent_page")
    list_filter = ("status", EmailTroubleFilter)
    search_fields = ("email",)
    date_hierarchy = "created_at"
    readonly_fields = (*CSV_COLUMNS,)
    fields = readonly_fields
    actions = ["export_csv"]
    change_list_template = "admin/articles/subscriber/change_list.html"
    change_form_template = "admin/articles/subscriber/change_form.html"

    def has_add_permission(self, request) -> bool:
        # Only the sign-up form adds people: it records their consent and confirms the address.
        return False

    def get_urls(self):
        data = path(
            "<int:object_id>/data/",
            self.admin_site.admin_view(self.data_view),
            name="articles_subscriber_data",
        )
        return [data, *super().get_urls()]

    def get_search_results(self, request, queryset, search_term):
        if search_term:
            logger.info("staff member %s searched the subscribers", request.user.pk)
        return super().get_search_results(request, queryset, search_term)

    def data_view(self, request, object_id):
        """Everything held about one subscriber, as a text file to send them."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        subscriber = get_object_or_404(Subscriber, pk=object_id)
        sent = (
            Delivery.objects.filter(subscriber=subscriber)
            .select_related("article")
            .order_by("created_at")
        )
        text = render_to_string(
            "admin/articles/subscriber/data.txt", {"subscriber": subscriber, "deliveries": sent}
        )
        self.log_change(request, subscriber, "Downloaded the data held about this subscriber")
        logger.info("staff member %s downloaded the data of %s", request.user.pk, subscriber)
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="subscriber-{subscriber.pk}.txt"'
        return response

    def changelist_view(self, request, extra_context=None):
        counts = dict(Subscriber.objects.values_list("status").annotate(n=Count("pk")).order_by())
        summary = [(label, counts.get(value, 0)) for value, label in Subscriber.Status.choices]
        return super().changelist_view(request, {"status_counts": summary, **(extra_context or {})})

    @admin.action(
        description="Export selected subscribers to CSV (with consent record)", permissions=["view"]
    )
    def export_csv(self, request, queryset):
        return csv_download(queryset.order_by("pk"), CSV_COLUMNS, "subscribers")
