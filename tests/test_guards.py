"""Bodies too big for their door are refused unread; a database that fails gives a friendly 503."""

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_a_huge_anonymous_post_is_refused_before_it_is_read(client):
    response = client.generic(
        "POST",
        "/subscribe/",
        b"email=a%40example.org",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert response.content == b"That is more than this page accepts (64 KB at most).\n"


def test_staff_pages_take_a_picture_sized_body(client):
    response = client.generic(
        "POST", "/admin/login/", b"", CONTENT_LENGTH=str(5 * 1024 * 1024 + 1000)
    )

    assert response.status_code != 413


def timed_out(execute, sql, params, many, context):
    raise OperationalError("canceling statement due to statement timeout")


def test_a_query_that_times_out_gives_the_friendly_503_page(client, make_article):
    make_article("aftercare")

    with connection.execute_wrapper(timed_out):
        response = client.get("/articles/aftercare/")

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "<h1>Please try again in a minute</h1>" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert client.get("/articles/aftercare/").status_code == 200


def test_health_check_answers_503_when_the_database_does_not(client):
    with connection.execute_wrapper(timed_out):
        response = client.get("/healthz")

    assert response.status_code == 503
