import reversion
from django import forms
from django.contrib import admin
from django.db import models
from django.shortcuts import redirect

from ..editconflicts import NoLostEdits
from ..forms import ClinicDetailsForm
from ..models import ClinicDetails


@admin.register(ClinicDetails)
class ClinicDetailsAdmin(NoLostEdits, admin.ModelAdmin):
    """One set of details, shown beside every article: it can be changed, never deleted. Its
    answers to what patients ask appear in the articles that show them."""

    form = ClinicDetailsForm
    list_display = ("name", "phone", "booking_url")
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }
    fieldsets = [
        (
            "Contact details",
            {"fields": ["name", "phone", "email", "address", "opening_hours", "booking_url"]},
        ),
        (
            "Answers to what patients ask",
            {
                "description": "Articles show these where their text says [[clinic:cost]] "
                "(and so on, by the field's name); where one is left blank, they say “Ask "
                "your physiotherapist.” Changing one ends the clinical sign-off of every "
                "article whose words it changes.",
                "fields": list(ClinicDetails.ANSWERS),
            },
        ),
    ]

    def changelist_view(self, request, extra_context=None):
        """There is one set of details, so *Clinic details* opens its form: the row is made
        (with its placeholders, as every page shows them until then) for someone who may add
        it. Anyone else, with nothing to see yet, gets the usual empty list, as does a list
        asked for with a query (which the list checks, and refuses if it offers no such one)."""
        if request.GET:
            return super().changelist_view(request, extra_context)
        details = ClinicDetails.objects.first()
        if details is None and self.has_add_permission(request):
            details = ClinicDetails.objects.create()
        if details is not None and self.has_view_or_change_permission(request, details):
            return redirect("admin:articles_clinicdetails_change", details.pk)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        # Names who made the change where it ends an article's sign-off (see Article).
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Changed the clinic details")
            super().save_model(request, obj, form, change)

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not ClinicDetails.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
