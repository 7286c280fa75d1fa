"""The article list's filters, each a named state of the queryset."""

from django.contrib import admin

from ..models import Article
from ..models.states import REVIEW_SOON_DAYS, STALE_DRAFT_DAYS


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Article.Visibility.choices

    def queryset(self, request, queryset):
        return (
            queryset.with_visibility(self.value())
            if self.value() in Article.Visibility
            else queryset
        )


class SignOffFilter(admin.SimpleListFilter):
    title = "clinical sign-off"
    parameter_name = "sign_off"

    def lookups(self, request, model_admin):
        return [
            ("needed", "Needs clinical sign-off"),
            ("ended", "Changed since it was signed off"),
            ("done", "Signed off"),
        ]

    def queryset(self, request, queryset):
        states = {
            "needed": queryset.needs_sign_off,
            "ended": queryset.sign_off_ended,
            "done": queryset.signed_off,
        }
        return states[self.value()]() if self.value() in states else queryset


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Review overdue"),
            ("soon", f"Due in the next {REVIEW_SOON_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "soon":
            return queryset.review_due_within(REVIEW_SOON_DAYS)
        return queryset


class StaleDraftFilter(admin.SimpleListFilter):
    title = "drafts"
    parameter_name = "untouched"

    def lookups(self, request, model_admin):
        return [("90", f"Untouched for {STALE_DRAFT_DAYS} days")]

    def queryset(self, request, queryset):
        return queryset.stale_drafts() if self.value() == "90" else queryset
