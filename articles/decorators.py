from functools import wraps

from django.core.exceptions import PermissionDenied


def staff_only(view):
    """Refuse with 403 anyone but logged-in active staff (for endpoints the editor calls)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
