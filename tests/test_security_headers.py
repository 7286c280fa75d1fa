"""Every response says what the browser may load and which of its features the site never uses."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import checks
from django.db import OperationalError, connection
from django.test import override_settings

from articles.editor import FRAME_POLICY

pytestmark = pytest.mark.django_db

# No script at all and no inline style: the public pages are HTML, the site's stylesheet and
# pictures from the site itself. Connections back to the site only (tools such as Lighthouse read
# robots.txt from inside the page).
PUBLIC_POLICY = {
    "default-src": "'none'",
    "base-uri": "'none'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "img-src": "'self'",
    "style-src": "'self'",
}
# The admin and the editor run the admin's scripts and the editor's, fetch previews, checks and
# uploads, and frame the preview page; still nothing inline and nothing from another site.
STAFF_POLICY = {
    "default-src": "'none'",
    "base-uri": "'none'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "frame-src": "'self'",
    "img-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
}
PICTURE_POLICY = "default-src 'none'; sandbox"
# What a patient-information site must never ask a browser for (the header turns off more).
TURNED_OFF = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "browsing-topics",
    "interest-cohort",
]
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(header: str) -> dict[str, str]:
    """A policy as {directive: sources}, whatever order the directives come in."""
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: (rest[0] if rest else "") for name, *rest in parts}


def features(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.split(","))


@pytest.fixture
def picture_file(settings, tmp_path, picture) -> str:
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "uploads").mkdir(parents=True)
    (tmp_path / "media" / "uploads" / "a.png").write_bytes(picture("PNG"))
    return "/media/uploads/a.png"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/articles/",
        "/articles/aftercare/",
        "/search/?q=needle",
        "/subscribe/",
        "/subscribe/sent/",
        "/no-such-page/",
    ],
)
def test_public_pages_allow_no_script_and_no_inline_style(client, make_article, path):
    make_article("aftercare")

    response = client.get(path)

    assert response.status_code in {200, 404}
    assert directives(response["Content-Security-Policy"]) == PUBLIC_POLICY


def test_article_structured_data_is_the_only_script_element_on_a_public_page(client, make_article):
    make_article("aftercare")

    html = client.get("/articles/aftercare/").content.decode()

    assert re.findall(r"<script[^>]*>", html) == ['<script type="application/ld+json">']


def test_server_error_page_carries_the_public_policy_and_the_site_stylesheet(client, settings):
    client.raise_request_exception = False
    settings.ROOT_URLCONF = "tests.urls_failing"

    response = client.get("/boom/")

    assert response.status_code == 500
    assert directives(response["Content-Security-Policy"]) == PUBLIC_POLICY
    # A plain address: the page must come up even when nothing else can be looked up.
    assert '<link rel="stylesheet" href="/static/css/site.css">' in response.content.decode()


def test_database_down_page_carries_the_public_policy(client, make_article):
    make_article("aftercare")

    def timed_out(execute, sql, params, many, context):
        raise OperationalError("canceling statement due to statement timeout")

    with connection.execute_wrapper(timed_out):
        response = client.get("/articles/aftercare/")

    assert response.status_code == 503
    assert directives(response["Content-Security-Policy"]) == PUBLIC_POLICY


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/articles/article/1/history/",
    ],
)
def test_staff_pages_get_the_staff_policy(admin_client, make_article, path):
    make_article("aftercare", pk=1)

    response = admin_client.get(path)

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == STAFF_POLICY


def test_login_page_gets_the_staff_policy(client):
    response = client.get("/admin/login/")

    assert directives(response["Content-Security-Policy"]) == STAFF_POLICY


@pytest.mark.parametrize(
    ("path", "data"),
    [("/markdownx/markdownify/", {"content": "Hello"}), ("/editor/checks/", {"content": "Hi"})],
)
def test_editor_endpoints_get_the_staff_policy(staff_client, path, data):
    response = staff_client.post(path, data)

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == STAFF_POLICY


def test_editor_preview_frame_keeps_its_own_policy(staff_client):
    response = staff_client.get("/editor/frame/")

    assert response["Content-Security-Policy"] == FRAME_POLICY
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_editor_preview_shows_the_article_under_the_public_policy():
    """A picture from another site is missing from the preview as it is from the public page;
    only the site's own pages may frame it, and it says outright that no script runs (so it
    makes no connections either)."""
    public = {name: value for name, value in PUBLIC_POLICY.items() if name != "connect-src"}
    assert directives(FRAME_POLICY) == {
        **public,
        "frame-ancestors": "'self'",
        "script-src": "'none'",
    }


def test_pictures_keep_their_sandbox_policy(client, picture_file):
    response = client.get(picture_file)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == PICTURE_POLICY


@pytest.mark.parametrize("where", ["public", "error", "staff", "picture", "stylesheet"])
def test_every_response_turns_off_features_the_site_never_uses(
    client, admin_client, make_article, picture_file, where
):
    make_article("aftercare")
    response = {
        "public": lambda: client.get("/articles/aftercare/"),
        "error": lambda: client.get("/no-such-page/"),
        "staff": lambda: admin_client.get("/admin/articles/article/add/"),
        "picture": lambda: client.get(picture_file),
        "stylesheet": lambda: client.get("/static/css/site.css"),
    }[where]()

    assert response.status_code in {200, 404}
    turned = features(response["Permissions-Policy"])
    assert {feature: turned.get(feature) for feature in TURNED_OFF} == dict.fromkeys(
        TURNED_OFF, "()"
    )
    assert set(turned.values()) == {"()"}


def test_no_template_has_inline_style_or_script():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<style",
            r"\sstyle=",
            r"<script(?![^>]*type=\"application/ld\+json\")",
            r"\son[a-z]+=",
            r"javascript:",
        ):
            found += [f"{path.relative_to(TEMPLATES)}: {m}" for m in re.findall(pattern, text)]

    assert found == []


def test_outdated_policy_settings_fail_the_system_checks():
    with override_settings(CSP_DEFAULT_SRC=["'self'"]):
        errors = checks.run_checks(tags=[checks.Tags.security])

    assert "csp.E001" in [error.id for error in errors]
