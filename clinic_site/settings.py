"""Settings for the clinic site, read from the environment (see README: Settings).

Every variable is optional locally: a fresh checkout runs on SQLite in ``var/`` with a generated
secret key. ``DJANGO_ENV=production`` refuses to start without the secrets it needs.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

PRODUCTION = os.environ.get("DJANGO_ENV", "") == "production"


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _local_secret_key() -> str:
    """Create the local key once, atomically, so every gunicorn worker signs with the same one."""
    path = VAR_DIR / "secret_key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_urlsafe(50)
        handle.write(key)
    return key


if PRODUCTION:
    _missing = [
        name
        for name in (
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOWED_HOSTS",
            "SITE_URL",
            "DJANGO_EMAIL_BACKEND",
        )
        if not os.environ.get(name, "").strip()
    ]
    if _missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs these environment variables: " + ", ".join(_missing)
        )
    if _env_flag("DJANGO_DEBUG"):
        raise ImproperlyConfigured(
            "DJANGO_ENV=production refuses DJANGO_DEBUG: "
            "error pages would show the site's code and settings to anyone"
        )
    # A sign-up is told its confirmation email was sent: with these backends it never is.
    _backend = os.environ["DJANGO_EMAIL_BACKEND"].strip()
    _local_backends = {
        f"django.core.mail.backends.{name}.EmailBackend"
        for name in ("filebased", "console", "locmem", "dummy")
    }
    if _backend in _local_backends and not _env_flag("DJANGO_ALLOW_LOCAL_EMAIL"):
        raise ImproperlyConfigured(
            f"DJANGO_ENV=production refuses DJANGO_EMAIL_BACKEND={_backend}: sign-ups would be "
            "told an email was sent while it never leaves this server (set "
            "DJANGO_ALLOW_LOCAL_EMAIL=1 as well if that is what you want)"
        )

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip() or _local_secret_key()
DEBUG = _env_flag("DJANGO_DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]
# Where `make run` serves (PORT, 8000 unless set), so links in emails, feeds and handouts work.
_PORT = os.environ.get("PORT", "").strip() or "8000"
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/") or f"http://127.0.0.1:{_PORT}"


def _proxy_count() -> int:
    value = os.environ.get("TRUSTED_PROXY_COUNT", "0").strip() or "0"
    if not value.isdigit():
        raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be a whole number, not {value!r}")
    return int(value)


# How many proxies in front of the site each append the address they saw to X-Forwarded-For:
# the visitor's address is that many entries from the right. 0 trusts the header not at all.
TRUSTED_PROXY_COUNT = _proxy_count()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
    "markdownx",
    "reversion",
    # django-csp: its system checks catch settings written for its old format.
    "csp",
    "articles",
    # Last, as its documentation asks: it counts failed logins.
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside every middleware that can answer early, so each response carries both policies.
    "articles.middleware.PermissionsPolicyMiddleware",
    "articles.middleware.ContentSecurityPolicyMiddleware",
    "articles.middleware.RequestSizeLimitMiddleware",
    "articles.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early: a cached public page is answered before sessions, CSRF or the user are looked at.
    "articles.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Form widgets are looked up like any template, so templates/markdownx/widget.html (the editor's
# side-by-side layout) takes the place of django-markdownx's own.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "clinic_site.urls"
# The site is served from the root of its host, whatever script name a request carries (a proxy
# can send one as a SCRIPT_NAME header): links and cached pages never depend on it.
FORCE_SCRIPT_NAME = ""
WSGI_APPLICATION = "clinic_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
# A database that is locked or down answers within seconds (a friendly 503), never by holding a
# worker until gunicorn kills it.
DATABASE_TIMEOUT_SECONDS = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one SQLite file: take the write lock when a transaction
    # starts and wait for it, instead of failing when two transactions both try to upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=DATABASE_TIMEOUT_SECONDS, transaction_mode="IMMEDIATE"
    )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=DATABASE_TIMEOUT_SECONDS,
        options=f"-c statement_timeout={DATABASE_TIMEOUT_SECONDS * 1000} "
        f"-c lock_timeout={DATABASE_TIMEOUT_SECONDS * 1000}",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis_url = os.environ.get("REDIS_URL", "").strip()
if _redis_url:
    CACHES = {
        "default": {
            # Redis that fails soft: pages answer uncached while it is away.
            "BACKEND": "articles.redis_cache.ResilientRedisCache",
            "LOCATION": _redis_url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # A file cache is shared by every worker on this machine, unlike per-process memory. It is
    # limited by the space it takes, not by a number of entries, so it holds every page of the
    # site however many articles there are (a page takes about 50 kB).
    CACHES = {
        "default": {
            "BACKEND": "articles.file_cache.SizedFileCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_BYTES": 512 * 1024**2},
        }
    }

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login (django-axes, counted in the database that every app server shares; the reasons
# are in articles/loginguard.py): 5 wrong passwords from one client address, for any accounts,
# and that address waits 15 minutes; a right password clears that account's failures from that
# address only; an account never locks, but after many wrong passwords from everywhere its
# password is checked from an address it has not logged in from at most once a minute.
AXES_HANDLER = "articles.loginguard.LoginGuardHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
# An IPv6 client is counted (and recorded under Axes) by its /64 network, written as its first
# address; an IPv4 client by its own address.
AXES_CLIENT_IP_CALLABLE = "articles.ratelimit.counted_address"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Attempts refused while locked or paused are not counted: a lockout ends 15 minutes after the
# last password actually checked.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Times read "2 Dec 2026, 16:59" everywhere (clinic_site/formats).
FORMAT_MODULE_PATH = "clinic_site.formats"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
# Pictures staff upload. Several app servers share one folder (a network mount), or see the
# README for S3-compatible storage.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", "").strip() or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("DJANGO_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_flag("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CONTENT_DIR = BASE_DIR / "content"
# Hard words and their plainer alternatives, for the editor's writing checks (articles/writing.py).
PLAIN_WORDS_FILE = CONTENT_DIR / "plain-words.yaml"
# Words patients search with, grouped with the words the pages use (see articles/searchwords.py).
SEARCH_WORDS_FILE = CONTENT_DIR / "search-words.yaml"

MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.markdown.markdownify"
MARKDOWNX_MEDIA_PATH = "uploads/"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    # Load balancers ask over plain HTTP whether an app server is up.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Joining the browsers' preload list is hard to undo: the clinic decides that, not a default.
    SECURE_HSTS_PRELOAD = False
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
    CSRF_TRUSTED_ORIGINS = [SITE_URL]

# Content-Security-Policy and Permissions-Policy
# Public pages run no script and no inline style: the site's stylesheet and its own pictures.
# Connections back to the site are allowed (no script of the site's makes any, but tools such as
# Lighthouse read robots.txt from inside the page, and report it invalid when refused).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "base-uri": [NONE],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "img-src": [SELF],
        "style-src": [SELF],
    }
}
# The admin and the article editor (paths in articles.middleware.STAFF_PATHS) run the admin's
# scripts and the editor's, fetch previews, checks and uploads, and frame the preview page. The
# preview frame and pictures send stricter policies of their own, which are kept.
STAFF_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "base-uri": [NONE],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "frame-src": [SELF],
        "img-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
    }
}
# Browser features the site never uses, turned off for it and anything it might ever embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
