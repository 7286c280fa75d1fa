"""Which address is the visitor's: the socket's, or the one the trusted proxies saw."""

import pytest
from django.test import RequestFactory

from articles.ratelimit import client_address, counted_address


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


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),  # IPv4: each address on its own
        ("2001:db8:1:2::1", "2001:db8:1:2::"),  # IPv6: its /64, one household or machine
        ("2001:DB8:1:2:a:b:c:d", "2001:db8:1:2::"),
        ("2001:db8:1:3::1", "2001:db8:1:3::"),
        ("::ffff:198.51.100.7", "198.51.100.7"),  # IPv4 written as IPv6 is that IPv4 address
    ],
)
def test_a_limit_counts_an_ipv6_64_as_one_client(settings, remote, expected):
    settings.TRUSTED_PROXY_COUNT = 0

    assert counted_address(request(remote=remote)) == expected


def test_behind_a_proxy_the_vouched_for_ipv6_address_is_counted_by_its_64(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert counted_address(request("2001:db8:5:6:7::9")) == "2001:db8:5:6::"


def in_one_64(n: int) -> str:
    return f"2001:db8:aa:bb::{n:x}"


@pytest.mark.django_db
def test_answers_from_every_address_of_one_ipv6_64_count_together(client, make_article):
    make_article("aftercare")

    answers = [
        client.post(
            "/articles/aftercare/feedback/", {"helpful": "yes"}, REMOTE_ADDR=in_one_64(n)
        ).status_code
        for n in range(1, 23)
    ]
    elsewhere = client.post(
        "/articles/aftercare/feedback/", {"helpful": "yes"}, REMOTE_ADDR="2001:db8:aa:bc::1"
    )

    assert answers == [200] * 20 + [429] * 2
    assert elsewhere.status_code == 200


@pytest.mark.django_db
def test_sign_ups_from_every_address_of_one_ipv6_64_count_together(client):
    answers = [
        client.post(
            "/subscribe/",
            {"email": f"r{n}@example.org", "consent": "on"},
            REMOTE_ADDR=in_one_64(n),
        ).status_code
        for n in range(1, 12)
    ]

    assert answers == [302] * 10 + [429]


@pytest.mark.django_db
def test_ipv4_written_as_ipv6_shares_its_ipv4_addresses_limit(client, make_article):
    make_article("aftercare")
    addresses = ["198.51.100.4", "::ffff:198.51.100.4"] * 11

    answers = [
        client.post(
            "/articles/aftercare/feedback/", {"helpful": "no"}, REMOTE_ADDR=address
        ).status_code
        for address in addresses[:21]
    ]

    assert answers == [200] * 20 + [429]
