from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Clinic editor"
ADDED = {
    "block": ["add", "change", "delete", "view"],
    "reference": ["add", "change", "delete", "view"],
}


def _codenames():
    return [f"{action}_{model}" for model, actions in ADDED.items() for action in actions]


def add_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__in=_codenames())
    )


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=_codenames())
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_blocks_and_references")]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
