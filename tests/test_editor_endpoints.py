"""django-markdownx's preview and upload answer staff only, and preview what patients see."""

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

HOSTILE = "## Hello\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))"


@pytest.mark.parametrize("path", ["/markdownx/markdownify/", "/markdownx/upload/"])
def test_editor_endpoints_refuse_anonymous_visitors(client, path):
    response = client.post(path, {"content": HOSTILE})

    assert response.status_code == 403


def test_editor_endpoints_refuse_logged_in_non_staff(client):
    client.force_login(User.objects.create_user("patient", password="pw"))

    response = client.post("/markdownx/markdownify/", {"content": HOSTILE})

    assert response.status_code == 403


def test_staff_preview_is_the_sanitised_article_html(staff_client):
    response = staff_client.post("/markdownx/markdownify/", {"content": HOSTILE})

    assert response.status_code == 200
    assert response.content.decode() == (
        '<h2 id="hello">Hello</h2>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p><a>x</a></p>'
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/markdownx/markdownify/"),
        ("post", "/markdownx/upload/"),
        ("get", "/editor/frame/"),
        ("post", "/editor/checks/"),
        ("get", "/articles/draft/preview/"),
    ],
)
def test_staff_status_alone_opens_no_editor_door(client, make_article, method, path):
    make_article("draft", status="draft")
    client.force_login(User.objects.create_user("receptionist", password="pw", is_staff=True))

    response = getattr(client, method)(path, {"content": HOSTILE} if method == "post" else {})

    assert response.status_code == 403
