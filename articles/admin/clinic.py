from django import forms
from django.contrib import admin
from django.db import models

from ..forms import ClinicDetailsForm
from ..models import ClinicDetails


@admin.register(ClinicDetails)
class ClinicDetailsAdmin(admin.ModelAdmin):
    """One set of details, shown beside every article: it can be changed, never deleted."""

    form = ClinicDetailsForm
    list_display = ("name", "phone", "booking_url")
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not ClinicDetails.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
