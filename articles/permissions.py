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


def grant(apps, group_name: str, codenames: list[str], *, revoke: bool = False) -> None:
    """For data migrations: give (or take back) the app's permissions ``codenames`` to a group,
    making the permissions first if the database has none yet."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=group_name)
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="articles", codename__in=codenames
    )
    (group.permissions.remove if revoke else group.permissions.add)(*permissions)
