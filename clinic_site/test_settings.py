"""Settings for the test suite: the real settings, made fast and self-contained."""

import os
from pathlib import Path

from .settings import *  # noqa: F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared memory: concurrent tests then lock and wait as the real site does.
    # Beside the configured database, so two checkouts (or DATABASE_URLs) never share one.
    _name = Path(DATABASES["default"]["NAME"])  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(_name.with_name(f"test-{_name.name}"))}  # noqa: F405

# Requests served by the browser tests' live server (a thread each) close their connections, so
# the test database can be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# The tests speak of the local site, whatever the caller's environment says.
SITE_URL = "http://127.0.0.1:8000"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
TRUSTED_PROXY_COUNT = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if "Redis" in CACHES["default"]["BACKEND"]:  # noqa: F405
    # The suite on Redis: give it a database of its own (e.g. redis://127.0.0.1:6379/15), as
    # every test starts by emptying the cache. Each test worker takes the one below the last.
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    _location = CACHES["default"]["LOCATION"]  # noqa: F405
    _base, _, _number = _location.rpartition("/")
    if _number.isdigit():
        CACHES["default"]["LOCATION"] = f"{_base}/{int(_number) - _worker}"  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = "tests"  # noqa: F405
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the app folders, as the browser tests' live server does.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
