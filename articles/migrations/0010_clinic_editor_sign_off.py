from django.db import migrations

from articles.permissions import grant

CODENAMES = ["sign_off_article"]


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_clinical_sign_off")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant(apps, "Clinic editor", CODENAMES),
            lambda apps, schema_editor: grant(apps, "Clinic editor", CODENAMES, revoke=True),
        )
    ]
