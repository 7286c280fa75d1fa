from django.db import migrations

from articles.permissions import grant

CODENAMES = [f"{action}_risk" for action in ("add", "change", "delete", "view")]


class Migration(migrations.Migration):
    dependencies = [("articles", "0024_risks")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant(apps, "Clinic editor", CODENAMES),
            lambda apps, schema_editor: grant(apps, "Clinic editor", CODENAMES, revoke=True),
        )
    ]
