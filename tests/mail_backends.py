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


class SecondSendMidway(LocmemBackend):
    """Runs ``second_send`` (once) while the first message is being handed over, as a second
    request from a double click would arrive while the first is still sending."""

    second_send = None

    def send_messages(self, messages):
        second_send, SecondSendMidway.second_send = SecondSendMidway.second_send, None
        if second_send:
            second_send()
        return super().send_messages(messages)
