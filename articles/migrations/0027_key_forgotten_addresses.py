"""Forgotten addresses were an unkeyed SHA-256 of the address, which anyone could check a guessed
address against. They become an HMAC of that SHA-256, keyed from the secret key, which is the code
articles.retention.forgotten_address makes now, so no address is needed to convert them and
signing up again still finds them."""

import re

from django.db import migrations
from django.utils.crypto import salted_hmac

# As in articles/retention.py when this was written.
PREFIX = "forgotten:"
KEY_SALT = "articles.retention.forgotten_address"
UNKEYED = re.compile(r"forgotten:[0-9a-f]{64}")


def key_forgotten_addresses(apps, schema_editor):
    Subscriber = apps.get_model("articles", "Subscriber")
    for subscriber in Subscriber.objects.filter(email__startswith=PREFIX).only("email"):
        if not UNKEYED.fullmatch(subscriber.email):
            continue
        digest = subscriber.email.removeprefix(PREFIX)
        keyed = salted_hmac(KEY_SALT, digest, algorithm="sha256").hexdigest()
        subscriber.email = PREFIX + keyed
        subscriber.save(update_fields=["email"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0026_clinic_answers"),
    ]

    # Not undone: a keyed code cannot be turned back (the codes stay, and stay unreadable).
    operations = [migrations.RunPython(key_forgotten_addresses, migrations.RunPython.noop)]
