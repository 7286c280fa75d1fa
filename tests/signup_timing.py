"""How long a sign-up takes to answer for a new, pending, confirmed and unsubscribed address.

The answer must not tell them apart (the README: the form never reveals who is on the list), so
their medians should match. Run alone, from the project folder, on a scratch SQLite file:

    DATABASE_URL=sqlite:////tmp/signup-timing.sqlite3 .venv/bin/python tests/signup_timing.py [N]

It uses the test settings (email kept in memory, so what is timed is the site's own work: the
database and building the email) and asserts nothing.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.test_settings")

import django

django.setup()

from django.core import mail  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.utils import timezone  # noqa: E402

STATES = ("new", "pending", "confirmed", "unsubscribed")


def main(rounds: int) -> None:
    from articles.models import Subscriber

    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        now = timezone.now()
        for state in STATES[1:]:
            Subscriber.objects.bulk_create(
                Subscriber(
                    email=f"{state}{n}@example.org",
                    status=state,
                    key=f"{state[:3]}{n}",
                    consent_wording_version="2026-11",
                    consent_given_at=now,
                    confirmation_sent_at=now,
                    confirmed_at=now if state == "confirmed" else None,
                    unsubscribed_at=now if state == "unsubscribed" else None,
                )
                for n in range(rounds)
            )
        client = Client()
        client.get("/subscribe/")  # warm up
        order = [(state, n) for state in STATES for n in range(rounds)]
        random.Random(1).shuffle(order)  # noqa: S311 (an order to run in, not a secret)
        times = {state: [] for state in STATES}
        for number, (state, n) in enumerate(order):
            data = {"email": f"{state}{n}@example.org", "consent": "on", "page": "/"}
            address = f"10.{number // 65536}.{number // 256 % 256}.{number % 256}"
            started = time.perf_counter()
            response = client.post("/subscribe/", data, REMOTE_ADDR=address)
            times[state].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302, response.status_code
        assert len(mail.outbox) == len(order)
        cache.clear()
        for state in STATES:
            print(f"{state:>13}: median {statistics.median(times[state]):6.2f} ms")
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
