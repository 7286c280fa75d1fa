"""Email backends for tests that need a mail server to die part-way through."""

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class KilledAfter(LocmemBackend):
    """Delivers ``limit`` messages into mail.outbox, then the process "dies" (SystemExit), as a
    job killed part-way through a batch would."""

    limit = 2
    delivered = 0

    def send_messages(self, messages):
        for message in messages:
            if KilledAfter.delivered >= KilledAfter.limit:
                raise SystemExit("killed")
            KilledAfter.delivered += 1
            super().send_messages([message])
        return len(messages)
