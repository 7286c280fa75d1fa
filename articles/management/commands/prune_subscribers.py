from django.core.management.base import BaseCommand

from articles.retention import prune_subscribers


class Command(BaseCommand):
    help = (
        "Delete sign-ups never confirmed after 30 days, and reduce addresses unsubscribed for 30 "
        "days to a one-way code. For cron, daily."
    )

    def handle(self, *args, **options):
        pruned = prune_subscribers()
        self.stdout.write(
            f"deleted {pruned.unconfirmed_deleted} unconfirmed sign-up(s), reduced "
            f"{pruned.unsubscribed_reduced} unsubscribed address(es)"
        )
