"""Which address is the visitor's: the socket's, or the one the trusted proxies saw."""

import pytest
from django.test import RequestFactory

from articles.ratelimit import client_address


def request(forwarded="", remote="10.0.0.5"):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.5"),  # no proxy: a visitor's own header is ignored
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the load balancer's entry
        (2, "6.6.6.6, 203.0.113.9, 192.0.2.10", "203.0.113.9"),  # CDN then load balancer
        (2, "203.0.113.9", "10.0.0.5"),  # fewer entries than proxies: not through them all
        (1, "", "10.0.0.5"),
    ],
)
def test_client_address_counts_trusted_proxies_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_address(request(forwarded)) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("count", "answers"),
    [
        (0, [302] * 10 + [429]),  # a new header each time does not escape the limit
        (1, [302] * 11),  # behind one proxy, each visitor has their own limit
    ],
)
def test_the_signup_limit_counts_the_address_the_proxies_vouch_for(
    client, settings, count, answers
):
    settings.TRUSTED_PROXY_COUNT = count

    assert [
        client.post(
            "/subscribe/",
            {"email": f"r{n}@example.org", "consent": "on"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(11)
    ] == answers


@pytest.mark.parametrize(
    ("forwarded", "expected"), [("unknown", "10.0.0.5"), ("1.2.3.4:80", "10.0.0.5")]
)
def test_a_proxy_entry_that_is_no_address_falls_back_to_the_socket(settings, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_address(request(forwarded)) == expected
