"""Addresses are now stored lower-cased, so that one mailbox is one row however it was typed.
Where two rows were one mailbox, the one that says most is kept: subscribed over waiting over
unsubscribed, then the newest."""

from django.db import migrations

RANK = {"confirmed": 0, "pending": 1, "unsubscribed": 2}


def lower_case_addresses(apps, schema_editor):
    Subscriber = apps.get_model("articles", "Subscriber")
    by_mailbox = {}
    for subscriber in Subscriber.objects.order_by("-created_at"):
        by_mailbox.setdefault(subscriber.email.lower(), []).append(subscriber)
    for mailbox, rows in by_mailbox.items():
        keep, *others = sorted(rows, key=lambda row: RANK.get(row.status, 3))
        Subscriber.objects.filter(pk__in=[row.pk for row in others]).delete()
        if keep.email != mailbox:
            Subscriber.objects.filter(pk=keep.pk).update(email=mailbox)


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_reference_address_help")]

    operations = [migrations.RunPython(lower_case_addresses, migrations.RunPython.noop)]
