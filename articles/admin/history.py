"""Every save kept as a version (django-reversion): History lists, shows and restores them, and
deleted things come back through "Recover"."""

from django.core.exceptions import PermissionDenied
from reversion.admin import VersionAdmin


class HistoryAdmin(VersionAdmin):
    """django-reversion's admin, asking for the permission before it writes anything.

    django-reversion writes the old version back first and leaves the check to the change form
    that follows: someone refused there has their write rolled back, but has already made every
    cached public page stale."""

    def check_restore(self, request) -> None:
        # Showing an old version reads; saving it changes the object.
        if request.method == "POST":
            allowed = self.has_change_permission(request)
        else:
            allowed = self.has_view_or_change_permission(request)
        if not allowed:
            raise PermissionDenied

    def revision_view(self, request, object_id, version_id, extra_context=None):
        self.check_restore(request)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        # django-reversion asks for add permission itself.
        self.check_restore(request)
        return super().recover_view(request, version_id, extra_context)
