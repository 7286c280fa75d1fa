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


# What the "Clinic editor" group may do: everything clinic staff need, nothing about user
# accounts or the site's own settings. (The migrations gave it these over time; this list is
# the whole of it, put back whenever the tables are emptied and migrated again.) Django's own
# permissions are named by what they allow ("change"); a model's own (its Meta.permissions) by
# their codename.
EDITOR_GROUP = "Clinic editor"
DJANGO_ACTIONS = ("add", "change", "delete", "view")
EDITOR_GROUP_PERMISSIONS = {
    "article": ["add", "change", "delete", "view", "sign_off_article", "email_subscribers"],
    "tag": ["add", "change", "delete", "view"],
    "block": ["add", "change", "delete", "view"],
    "reference": ["add", "change", "delete", "view"],
    "risk": ["add", "change", "delete", "view"],
    "clinicdetails": ["add", "change", "view"],
    "subscriber": ["change", "delete", "view"],
    "delivery": ["view"],
    "feedback": ["change", "delete", "view"],
    "reviewreminder": ["view"],
}


def ensure_editor_group(sender, **kwargs) -> None:
    """post_migrate: the Clinic editor group exists with its permissions (also after a test
    empties the tables)."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    codenames = [
        f"{permission}_{model}" if permission in DJANGO_ACTIONS else permission
        for model, permissions in EDITOR_GROUP_PERMISSIONS.items()
        for permission in permissions
    ]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )
