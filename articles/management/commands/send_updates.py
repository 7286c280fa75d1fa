from django.core.management.base import BaseCommand, CommandError

from articles.management.progress import terminal_progress
from articles.updates import send_updates


class Command(BaseCommand):
    help = (
        "Email confirmed subscribers about published articles they have not been told about, and "
        "send any confirmation email that could not be sent before. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report, send nothing")

    def handle(self, *args, dry_run=False, **options):
        report = send_updates(dry_run=dry_run, progress=terminal_progress("Emailing subscribers"))
        prefix = "Dry run, nothing sent: would have " if dry_run else ""
        self.stdout.write(prefix + report.counts())
        if report.failed:
            raise CommandError(
                f"{report.failed} email(s) could not be sent; they are kept and the next run "
                "will try again."
            )
