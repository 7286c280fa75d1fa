"""Settings come from the environment; production refuses to start without its secrets."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "k7Qz9xVt2LmW8pRs4NbYcH6dJf3GaE5u",
    "DJANGO_ALLOWED_HOSTS": "clinic.example.org",
    "SITE_URL": "https://clinic.example.org",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    own = ("DJANGO_", "SITE_URL", "DATABASE_URL", "REDIS_URL", "EMAIL_", "DEFAULT_FROM_EMAIL")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    clean.update(DJANGO_SETTINGS_MODULE="clinic_site.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def setting(expression: str, **env: str) -> str:
    code = f"from django.conf import settings; print({expression})"
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SITE_URL"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = manage("check", **env)

    assert result.returncode != 0
    assert f"DJANGO_ENV=production needs these environment variables: {missing}" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_turns_on_https_protections():
    values = setting(
        "settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, "
        "settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_PROXY_SSL_HEADER, settings.DEBUG",
        **PRODUCTION_ENV,
    )
    assert values == "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') False"


def test_local_defaults_need_no_setup():
    values = setting(
        "settings.DEBUG, settings.ALLOWED_HOSTS, settings.SITE_URL, "
        "settings.DATABASES['default']['ENGINE'], settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH"
    )
    assert values == (
        "False ['127.0.0.1', 'localhost'] http://127.0.0.1:8000 django.db.backends.sqlite3 "
        f"django.core.mail.backends.filebased.EmailBackend {ROOT / 'var' / 'mail'}"
    )


def test_generated_secret_key_is_stored_once_and_shared_by_every_process():
    first = setting("settings.SECRET_KEY")
    second = setting("settings.SECRET_KEY")

    assert first == second
    assert len(first) >= 50
    assert (ROOT / "var" / "secret_key").read_text().strip() == first


def test_environment_chooses_database_and_cache():
    values = setting(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "settings.CACHES['default']['BACKEND']",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/clinic",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert values == (
        "django.db.backends.postgresql clinic articles.cache_backends.ResilientRedisCache"
    )


def test_models_and_migrations_agree(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert out.getvalue() == "No changes detected\n"
