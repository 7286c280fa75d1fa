"""Who may use the article editor's own endpoints."""

from functools import wraps

from django.core.exceptions import PermissionDenied

EDITOR_PERMISSIONS = ("articles.add_article", "articles.change_article")


def article_editor_only(view):
    """Refuse with 403 anyone but logged-in, active staff who may add or change articles."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        allowed = (
            user.is_authenticated
            and user.is_active
            and user.is_staff
            and any(user.has_perm(permission) for permission in EDITOR_PERMISSIONS)
        )
        if not allowed:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
