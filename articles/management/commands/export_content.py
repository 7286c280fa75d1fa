from django.conf import settings
from django.core.management.base import BaseCommand

from articles.contentformat import display_path
from articles.importers import export_content


class Command(BaseCommand):
    help = (
        "Write every article to DIR (default: content/) as markdown that load_content reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="where to write (default: content/)")

    def handle(self, *args, directory=None, **options):
        written = export_content(directory or settings.CONTENT_DIR)
        for path in written:
            self.stdout.write(f"wrote {display_path(path)}")
        self.stdout.write(f"exported {len(written)} article(s)")
