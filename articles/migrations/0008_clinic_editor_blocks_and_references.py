from django.db import migrations

from articles.permissions import grant

CODENAMES = [
    f"{action}_{model}"
    for model in ("block", "reference")
    for action in ("add", "change", "delete", "view")
]


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_blocks_and_references")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant(apps, "Clinic editor", CODENAMES),
            lambda apps, schema_editor: grant(apps, "Clinic editor", CODENAMES, revoke=True),
        )
    ]
