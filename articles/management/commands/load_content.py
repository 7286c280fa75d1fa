from django.core.management.base import BaseCommand, CommandError

from articles.importers import ContentError, load_content
from articles.management.progress import terminal_progress


class Command(BaseCommand):
    help = "Load the markdown articles in DIR (default: content/) into the database."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="folder of *.md files (default: content/)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="replace articles edited in the admin with what their file says",
        )

    def handle(self, *args, directory=None, dry_run=False, overwrite=False, **options):
        try:
            report = load_content(
                directory,
                dry_run=dry_run,
                overwrite=overwrite,
                progress=terminal_progress("Loading articles"),
            )
        except ContentError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(error.problems)} problem(s) found; nothing was changed in the database."
            ) from None
        prefix = "Dry run, nothing written: would have " if dry_run else ""
        self.stdout.write(prefix + report.counts())
        if report.rerendered:
            self.stdout.write(
                f"{'would refresh' if dry_run else 'refreshed'} the page of "
                f"{len(report.rerendered)} article(s) for a new version of the site"
            )
        for kind, shared in report.shared.items():
            self.stdout.write(f"{kind}: {shared.counts()}")
        kept = [("", slug) for slug in report.kept] + [
            (f"{kind[:-1]} ", key) for kind, shared in report.shared.items() for key in shared.kept
        ]
        for kind, key in kept:
            self.stdout.write(
                f"kept {kind}{key}: edited in the admin since its last load "
                "(--overwrite replaces it with the file)"
            )
        for slug, reason in report.sign_offs_ended:
            self.stdout.write(
                f"sign-off no longer holds: {slug}: {reason} The page no longer claims a "
                "clinical review; a clinician can sign it off again in the admin."
            )
        for slug, path in report.missing:
            self.stdout.write(
                f"no file for {slug} (last loaded from {path}); the article was left as it is"
            )
