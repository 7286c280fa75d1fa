from django.core.management.base import BaseCommand, CommandError

from articles.reminders import ReminderError, due_reminder, send_reminder


class Command(BaseCommand):
    help = (
        "Email the Clinic editor group a summary of article reviews that are overdue or due "
        "within 30 days (each article at most once a week). For cron, daily or weekly."
    )

    def handle(self, *args, **options):
        try:
            count = send_reminder(due_reminder())
        except ReminderError as error:
            raise CommandError(f"The review reminder was not sent: {error}.") from None
        if count:
            self.stdout.write(f"Reminded the editors of {count} article review(s).")
        else:
            self.stdout.write("No reviews are due for a reminder.")
