from django.db import migrations

from articles.permissions import grant

CODENAMES = ["view_feedback", "change_feedback", "delete_feedback", "view_reviewreminder"]


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_feedback_and_reminders")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant(apps, "Clinic editor", CODENAMES),
            lambda apps, schema_editor: grant(apps, "Clinic editor", CODENAMES, revoke=True),
        )
    ]
