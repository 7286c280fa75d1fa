"""History per object: a version puts back that one object, through its change form.

django-reversion's own restore brings back every object stored in the chosen revision, and its
revision view accepts a version of any object whose id matches. Here a version is looked up
among the versions of the object (or, to recover, the deleted objects of the model) whose page
it was opened from, anything else is a 404, and restoring puts back only the fields that the
change form edits. Saving then goes through that form and the model's own ``save``, so a
restore meets the same rules as any edit: validation, the clinical sign-off, the page cache.
"""

from contextlib import nullcontext

from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.shortcuts import get_object_or_404, redirect
from django.utils.formats import localize
from django.utils.timezone import template_localtime
from reversion import create_revision, set_comment, set_user
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version
from reversion.utils import mute_signals

from ..editconflicts import before_restore


class _ShowOnlyError(Exception):
    """Carries the restore form out of the transaction, which is then rolled back."""

    def __init__(self, response):
        super().__init__()
        self.response = response


class OneObjectHistory(VersionAdmin):
    def check_restore(self, request) -> None:
        """Asked before anything is written back: showing an old version reads, saving it
        changes the object (someone refused later would still have made the pages stale)."""
        if request.method == "POST":
            allowed = self.has_change_permission(request)
        else:
            allowed = self.has_view_or_change_permission(request)
        if not allowed:
            raise PermissionDenied

    def revision_view(self, request, object_id, version_id, extra_context=None):
        self.check_restore(request)
        versions = Version.objects.get_for_object_reference(self.model, unquote(object_id))
        version = get_object_or_404(versions, pk=version_id)
        context = {"title": f"Restore {version.object_repr}", "revert": True}
        template = self.revision_form_template or self._reversion_get_template_list(
            "revision_form.html"
        )
        return self._restore(request, version, template, {**context, **(extra_context or {})})

    def recover_view(self, request, version_id, extra_context=None):
        self.check_restore(request)
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        context = {"title": f"Recover {version.object_repr}", "recover": True}
        template = self.recover_form_template or self._reversion_get_template_list(
            "recover_form.html"
        )
        return self._restore(request, version, template, {**context, **(extra_context or {})})

    def _restore(self, request, version, template, context):
        # Showing the form writes nothing for good: no signal may act on the version put back.
        quiet = (
            mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
            if request.method == "GET"
            else nullcontext()
        )
        saved_on = localize(template_localtime(version.revision.date_created))
        try:
            with (
                transaction.atomic(using=version.db),
                before_restore(self.model, version.object_id),
            ):
                with quiet:
                    self._put_back(request, version)
                with create_revision():
                    set_user(request.user)
                    set_comment(f"Restored the version saved on {saved_on}")
                    response = self.changeform_view(
                        request, quote(version.object_id), request.path, context
                    )
                    if request.method == "POST" and response.status_code == 302:
                        set_comment(f"Restored the version saved on {saved_on}")
                    elif response.status_code == 200:
                        response.template_name = template
                        response.render()
                        raise _ShowOnlyError(response)
                    else:
                        raise RevertError(f"Could not load {version.object_repr}: not found.")
        except (RevertError, models.ProtectedError) as error:
            messages.error(request, str(error))
            opts = self.model._meta
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        except _ShowOnlyError as shown:
            return shown.response
        return response

    def _put_back(self, request, version) -> None:
        """The fields the change form edits, as the version holds them, on the object as it is
        now; a deleted object comes back whole (only it: not the rest of its revision)."""
        current = self.model._default_manager.filter(pk=version.object_id).first()
        if current is None:
            version.revert()
            return
        stored = version.field_dict
        editable = set(flatten_fieldsets(self.get_fieldsets(request, current)))
        editable -= set(self.get_readonly_fields(request, current))
        plain, related = {}, {}
        for field in self.model._meta.get_fields():
            if field.name not in editable or getattr(field, "attname", None) not in stored:
                continue
            value = stored[field.attname]
            if field.many_to_many:
                related[field.name] = field.related_model._default_manager.filter(pk__in=value)
            else:
                plain[field.attname] = value
        if plain:
            self.model._default_manager.filter(pk=current.pk).update(**plain)
        for name, values in related.items():
            getattr(current, name).set(values)
