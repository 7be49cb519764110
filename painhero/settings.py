"""Django settings for PainHero.

Everything that differs between a laptop and production is read from the
environment by the strict helpers in ``painhero.env``. The defaults are safe
for a local run: SQLite in the project folder, console email, DEBUG off.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from painhero.env import env_bool, env_int, env_list, env_site_url, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEVELOPMENT_SECRET_KEY = "painhero-development-secret-key-do-not-use-in-production"  # noqa: S105

DEBUG = env_bool("DEBUG", False)
# PRODUCTION=1 turns on the checks a public deployment needs.
PRODUCTION = env_bool("PRODUCTION", False)
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if PRODUCTION and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("PRODUCTION=1 needs a SECRET_KEY of its own: the development key is public.")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("PRODUCTION=1 and DEBUG=1 cannot be combined: DEBUG leaks data in error pages.")

# The site's public address, scheme and host only: every absolute link (emails, .ics files, calendar
# feeds, the API's manage_url) is built from it by painhero.urls_abs, never from a request's Host header.
SITE_URL = env_site_url("SITE_URL", "http://127.0.0.1:8000", required=PRODUCTION)

# Where a video free consultation happens: each appointment's meeting is this address plus its own random token
# (booking.video). No video server is built here; point it at the one the network uses.
VIDEO_BASE_URL = env_site_url("VIDEO_BASE_URL", "https://meet.painhero.localhost") + "/"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Listed so the API docs page takes swagger-ui from our static files, not from a CDN.
    "ninja",
    "painhero",
    "places",
    "clinics",
    "scheduling",
    "booking",
    "patients",
    "notifications",
    "quality",
    "portal",
    "directory",
    "content",
    "interop",
    "demo",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Above everything that may touch the database: an outage anywhere below becomes a 503 (painhero/outage.py).
    "painhero.outage.OutageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "painhero.input_guard.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# A branded, translated 403 that says to reload the page (painhero/errors.py).
CSRF_FAILURE_VIEW = "painhero.errors.csrf_failure"

ROOT_URLCONF = "painhero.urls"
WSGI_APPLICATION = "painhero.wsgi.application"

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
                "django.template.context_processors.i18n",
                "painhero.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} is not a database URL: {exc}") from None
if _database["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:/// or postgres:// URL.")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write
    # lock at BEGIN so that a check and the write after it cannot interleave
    # with another writer (see booking/LOCKING.md).
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # mmap: pages are read from the operating system's cache in place, not copied by a read() each time. Each
        # request opens its own connection (CONN_MAX_AGE 0 below), so SQLite's own page cache starts empty every
        # time: without it, a search near Toronto spent a quarter of its time in those reads (10k clinics, soonest
        # first 18-21 -> 16.2-16.5 ms median; make bench).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        f"PRAGMA mmap_size={env_int('SQLITE_MMAP_MB', 2048, minimum=0) * 1024 * 1024};",
    }
    _database["CONN_MAX_AGE"] = 0
    # Tests use a file (one per test process), not shared-cache memory, so that
    # threads, the live server and BEGIN IMMEDIATE behave as they do in production.
    _database["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"painhero-test-{os.getpid()}.sqlite3")}
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = _database["ENGINE"] == "django.db.backends.postgresql"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and "pytest" not in sys.modules
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PainHero <hello@painhero.localhost>")

# Text messages (notifications/sms.py): written to the log unless a real backend is named, e.g.
# SMS_BACKEND=notifications.sms.TwilioSmsBackend with the three TWILIO_ settings below.
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.ConsoleSmsBackend")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The cache: Redis when REDIS_URL names one (production, and whenever several processes must share it),
# else each process's own memory (development, tests). What is cached and how it is invalidated:
# clinics/page_cache.py. KEY_PREFIX lets several sites (or a bench run) share one Redis.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} is not a redis://, rediss:// or unix:// URL.")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if REDIS_URL
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": REDIS_URL or "painhero",
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "painhero"),
        "TIMEOUT": env_int("CACHE_TIMEOUT", 3600, minimum=1),
        **({"OPTIONS": {"MAX_ENTRIES": 5000}} if not REDIS_URL else {}),
    }
}

# Clinic pages as visitors without a session see them, open times included, are kept in the cache for at most
# this many seconds (every write that changes what a page shows replaces the tokens it is keyed by). Only with
# a cache every web process shares: with the in-process cache, one process would not see another's writes.
CLINIC_PAGE_CACHE_SECONDS = env_int("CLINIC_PAGE_CACHE_SECONDS", 30 if REDIS_URL else 0, minimum=0, maximum=300)

# Answers of the search API near a point are kept in the cache for at most this many seconds: every write that
# changes a clinic's open times or record replaces the token of its area, which the answers there are keyed by
# (directory/search_cache.py). Shared cache only, for the same reason as the clinic pages.
SEARCH_CACHE_SECONDS = env_int("SEARCH_CACHE_SECONDS", 10 if REDIS_URL else 0, minimum=0, maximum=60)

# Map tiles are the one thing the browser may fetch from elsewhere; leave
# empty to show the map without a base layer (markers only).
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")

# --- Security headers ----------------------------------------------------------------------------
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, so an
# injected <script> or on*= attribute does not run. No 'unsafe-inline' even for styles: Leaflet
# positions its tiles and markers through element.style (the CSSOM), which CSP does not govern, and
# htmx's indicator style ships in site.css (htmx.config.includeIndicatorStyles=false). Swagger UI on
# /api/v1/docs works under the same policy (ninja serves it from static files, React styles via the
# CSSOM), so it needs no exception. painhero/tests/test_csp_browser.py proves all of it in Chromium.


def _tile_origin(url: str) -> str | None:
    """The origin of MAP_TILE_URL for img-src; a ``{s}`` subdomain template becomes ``*.``."""
    if not url or url.startswith("/"):
        return None
    match = re.fullmatch(r"(https?)://(\{s\}\.)?([A-Za-z0-9.-]+(?::\d+)?)/.*", url)
    if match is None:
        raise ImproperlyConfigured(
            f"MAP_TILE_URL={url!r} must be an https:// (or http://) address such as "
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png, a path on this site, or empty."
        )
    scheme, subdomains, host = match.groups()
    return f"{scheme}://{'*.' if subdomains else ''}{host}"


_TILE_ORIGIN = _tile_origin(MAP_TILE_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Where browsers report violations (a path here or an https:// collector); empty sends no reports.
# (Not kept as a CSP_* setting: django-csp 4 refuses those as its old 3.x configuration.)
_csp_report_uri = env_str("CSP_REPORT_URI", "").strip()
if _csp_report_uri:
    if not re.fullmatch(r"(https://[^\s;,]+|/[^\s;,]*)", _csp_report_uri):
        raise ImproperlyConfigured(f"CSP_REPORT_URI={_csp_report_uri!r} must be an https:// address or a path.")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [_csp_report_uri]
# Manage and feed links carry private tokens in their path: never send them to another site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The TLS-terminating proxy says the request came over HTTPS; it must overwrite this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A load balancer probes over plain HTTP; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a promise browsers keep for months and cannot be taken back quickly: it is for
        # the operator to opt into (SECURE_HSTS_PRELOAD=1), so its reminder is silenced until then.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Client address ---------------------------------------------------------------------------------
# Empty: the client is REMOTE_ADDR. Behind a reverse proxy, name the header it appends the peer's
# address to (X-Forwarded-For); painhero.http.client_ip then reads the entry TRUSTED_PROXY_COUNT from
# the right, the one our outermost proxy wrote, and ignores anything a client sent to the left of it.
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER", "").strip()
if TRUSTED_PROXY_HEADER and not re.fullmatch(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", TRUSTED_PROXY_HEADER):
    raise ImproperlyConfigured(
        f"TRUSTED_PROXY_HEADER={TRUSTED_PROXY_HEADER!r} is not a header name: write it as the proxy sends it, "
        "for example X-Forwarded-For or X-Real-IP (letters, digits and hyphens), or leave it empty."
    )
if TRUSTED_PROXY_HEADER.lower() == "forwarded":
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_HEADER=Forwarded is not supported (its for=... syntax differs): "
        "have the proxy set X-Forwarded-For and name that."
    )
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1, minimum=1, maximum=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Tokens and form values never reach a log line (painhero/redact.py), whichever logger wrote it.
    "filters": {"redact": {"()": "painhero.redact.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    # Django's own defaults would also print (DEBUG) or email (ADMINS) request errors unfiltered.
    "loggers": {
        "django": {"handlers": [], "level": env_str("LOG_LEVEL", "WARNING"), "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The console SMS backend's lines (tokens masked), so a newcomer sees the texts patients would get.
        "notifications.sms": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Clinic portal: sign-in pages, and sessions that slide (portal sign-ins set a 30-minute expiry).
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
SESSION_SAVE_EVERY_REQUEST = True
PORTAL_SESSION_AGE = env_int("PORTAL_SESSION_AGE", 30 * 60, minimum=60, maximum=24 * 3600)

# --- Sign-in and admin ------------------------------------------------------------------------------
# The admin is Django's, with its default site swapped for portal.admin_site.StaffAdminSite: its login
# page sends network staff to the portal's throttled, two-factor sign-in, and in production every page of
# it needs the second factor (is_verified()). The throttle's rules are in portal/auth_services.py.
INSTALLED_APPS = ["portal.admin_apps.AdminConfig" if app == "django.contrib.admin" else app for app in INSTALLED_APPS]
# --- end of Sign-in and admin ---

# --- My PainHero (patients' magic-link sign-in, patients/account_services.py) ---------------------------
# Patients sign in with a one-time link (django-sesame), never a password. Staff keep the password backend;
# sesame's backend only ever authenticates a patient account (the token's scope, checked again in the service).
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "sesame.backends.ModelBackend"]
SESAME_MAX_AGE = env_int("SESAME_MAX_AGE", 15 * 60, minimum=60, maximum=24 * 3600)  # seconds a link works
SESAME_ONE_TIME = True  # a link works once: signing in changes last_login, which the token is bound to
SESAME_TOKEN_NAME = "sesame"  # noqa: S105  (the query parameter's name, not a secret)
# Version 2 only: version 1 tokens are written into sesame's debug log lines (invariant 12).
SESAME_TOKENS = ["sesame.tokens_v2"]
PATIENT_SESSION_AGE = env_int("PATIENT_SESSION_AGE", 30 * 60, minimum=60, maximum=24 * 3600)
# --- end of My PainHero ---

# --- Verified reviews (quality/invitations.py) ----------------------------------------------------------------
# Every visit the clinic marks completed gets one invitation to review it, this many hours after the visit ends.
REVIEW_INVITE_DELAY_HOURS = env_int("REVIEW_INVITE_DELAY_HOURS", 3, minimum=0, maximum=72)
