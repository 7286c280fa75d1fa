"""Settings come from the environment; production refuses to start without its secrets."""

import io
import json
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
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}
LOCAL_EMAIL_BACKENDS = [
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
]


def run(command: list[str], **env: str) -> subprocess.CompletedProcess:
    """A new Python process with only the given settings variables, as a fresh server has."""
    own = (
        "DJANGO_",
        "SITE_URL",
        "PORT",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_",
        "DEFAULT_FROM_EMAIL",
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    clean.update(DJANGO_SETTINGS_MODULE="clinic_site.settings", **env)
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run(["manage.py", *args], **env)


def start(**env: str) -> subprocess.CompletedProcess:
    """Load the settings as the site does when it starts (without the rest of the site)."""
    return run(["-c", "from django.conf import settings; settings.SECRET_KEY"], **env)


def setting(expression: str, **env: str) -> str:
    result = run(["-c", f"from django.conf import settings; print({expression})"], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def refusal(result: subprocess.CompletedProcess) -> str:
    """The one line that says why the settings refused to load."""
    assert result.returncode != 0
    return result.stderr.strip().splitlines()[-1]


MISSING = ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "SITE_URL", "DJANGO_EMAIL_BACKEND"]
DEBUG_VALUES = ["1", "true", "on"]
STARTS = {
    **{
        f"missing {name}": {k: v for k, v in PRODUCTION_ENV.items() if k != name}
        for name in MISSING
    },
    **{f"debug {value}": {**PRODUCTION_ENV, "DJANGO_DEBUG": value} for value in DEBUG_VALUES},
    **{
        backend: {**PRODUCTION_ENV, "DJANGO_EMAIL_BACKEND": backend}
        for backend in LOCAL_EMAIL_BACKENDS
    },
}
# Loads the settings afresh for each environment, in one process, as each new server would.
STARTING = """
import importlib, json, os, sys
cases, base = json.loads(sys.stdin.read()), dict(os.environ)
answers = {}
for name, env in cases.items():
    os.environ.clear()
    os.environ.update(base, **env)
    sys.modules.pop("clinic_site.settings", None)
    try:
        importlib.import_module("clinic_site.settings")
        answers[name] = "started"
    except Exception as error:
        answers[name] = f"{type(error).__module__}.{type(error).__qualname__}: {error}"
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def refusals() -> dict[str, str]:
    """What each of the STARTS environments says when the settings load."""
    own = ("DJANGO_", "SITE_URL", "DATABASE_URL", "REDIS_URL", "EMAIL_", "DEFAULT_FROM_EMAIL")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    result = subprocess.run(
        [sys.executable, "-c", STARTING],
        cwd=ROOT,
        env=clean,
        input=json.dumps(STARTS),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("missing", MISSING)
def test_production_refuses_to_start_without_its_secrets(refusals, missing):
    assert refusals[f"missing {missing}"] == (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_ENV=production needs these "
        f"environment variables: {missing}"
    )


@pytest.mark.parametrize("value", DEBUG_VALUES)
def test_production_refuses_to_start_in_debug_mode(refusals, value):
    assert refusals[f"debug {value}"] == (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_ENV=production refuses DJANGO_DEBUG: "
        "error pages would show the site's code and settings to anyone"
    )


@pytest.mark.parametrize("backend", LOCAL_EMAIL_BACKENDS)
def test_production_refuses_email_that_never_leaves_the_server(refusals, backend):
    assert refusals[backend] == (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_ENV=production refuses "
        f"DJANGO_EMAIL_BACKEND={backend}: sign-ups would be told an email was sent while it never "
        "leaves this server (set DJANGO_ALLOW_LOCAL_EMAIL=1 as well if that is what you want)"
    )


def test_production_keeps_email_on_the_server_only_when_asked_twice():
    backend = "django.core.mail.backends.filebased.EmailBackend"

    kept = setting(
        "settings.EMAIL_BACKEND",
        **{**PRODUCTION_ENV, "DJANGO_EMAIL_BACKEND": backend, "DJANGO_ALLOW_LOCAL_EMAIL": "1"},
    )
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_EMAIL_BACKEND"}
    default_refused = start(DJANGO_ALLOW_LOCAL_EMAIL="1", **env)

    assert kept == backend
    assert refusal(default_refused) == (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_ENV=production needs these "
        "environment variables: DJANGO_EMAIL_BACKEND"
    )


def test_production_sends_email_by_the_backend_it_names():
    assert setting("settings.EMAIL_BACKEND", **PRODUCTION_ENV) == (
        "django.core.mail.backends.smtp.EmailBackend"
    )


def test_debug_and_local_email_stay_available_outside_production():
    values = setting("settings.DEBUG, settings.EMAIL_BACKEND", DJANGO_DEBUG="1")

    assert values == "True django.core.mail.backends.filebased.EmailBackend"


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


def test_site_url_follows_the_port_make_run_serves_on():
    assert setting("settings.SITE_URL", PORT="8123") == "http://127.0.0.1:8123"
    assert setting("settings.SITE_URL", PORT="") == "http://127.0.0.1:8000"


def test_site_url_set_in_the_environment_wins_over_the_port():
    assert (
        setting("settings.SITE_URL", PORT="8123", SITE_URL="https://clinic.example.org/")
        == "https://clinic.example.org"
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
        "django.db.backends.postgresql clinic articles.redis_cache.ResilientRedisCache"
    )


def test_models_and_migrations_agree(db, settings):
    # The suite builds its databases from the models (--nomigrations hides every migration);
    # here they are read as a deployment reads them.
    settings.MIGRATION_MODULES = {}
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert out.getvalue() == "No changes detected\n"
