from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Clinic editor"
# What clinic staff need, and nothing about user accounts or the site's own settings.
PERMISSIONS = {
    "article": ["add", "change", "delete", "view"],
    "tag": ["add", "change", "delete", "view"],
    "clinicdetails": ["add", "change", "view"],
    "subscriber": ["change", "delete", "view"],
    "delivery": ["view"],
}


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations; this group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_subscribers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
