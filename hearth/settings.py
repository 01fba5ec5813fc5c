"""Hearth's one settings module, read from the environment.

With nothing set it runs on the embedded default: SQLite, the in-memory channel layer,
a local-memory cache and eager Celery. With ``DATABASE_URL`` and ``REDIS_URL`` it runs on
PostgreSQL, the Redis channel layer, a Redis cache and a Celery broker on Redis.
See README.md for every variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from hearth.env import env_bool, env_float, env_int, env_list, env_str, env_url
from hearth.redis_url import parse_redis_url
from meetings.room.limits import DEFAULT_VOICE_MAX_PARTICIPANTS, RATE_LIMIT_FRAMES

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
# Behind TLS (the default outside DEBUG): redirect to HTTPS, secure cookies and HSTS.
# HTTPS_ONLY=0 serves plain HTTP, for trying the real-services mode on localhost.
HTTPS_ONLY = env_bool("HTTPS_ONLY", default=not DEBUG)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set SECRET_KEY to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.sites",
    "channels",
    "allauth",
    "allauth.account",
    "hearth",
    "members",
    "circles",
    "moderation",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hearth.logs.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.MemberTimezoneMiddleware",
    "hearth.busy.DatabaseBusyMiddleware",
    "hearth.refusal_views.RefusalMiddleware",
]

ROOT_URLCONF = "hearth.urls"
WSGI_APPLICATION = "hearth.wsgi.application"
ASGI_APPLICATION = "hearth.asgi.application"
SITE_ID = 1

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
                "hearth.context_processors.site",
                "hearth.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "hearth.forms.HearthFormRenderer"

# --- Services -------------------------------------------------------------------------

DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
# One REDIS_URL, three readers that understand different things (hearth/redis_url.py):
# REDIS_URL becomes redis-py's spelling for the cache and the channel layer, and Celery's
# broker gets the bare URL with its options as transport and TLS options.
REDIS = parse_redis_url(REDIS_URL) if REDIS_URL else None
if REDIS:
    REDIS_URL = REDIS.url

# Database connections are bounded per process. Under ASGI every request runs in a thread
# of its own, so persistent connections (CONN_MAX_AGE > 0) would be left behind by each
# thread; instead each process keeps a psycopg pool of at most DATABASE_POOL_MAX
# connections, and a request takes one for as long as it runs. When none comes free within
# DATABASE_POOL_TIMEOUT seconds the request is answered with a calm 503 (hearth.busy).
# Size it with docs/operations.md: processes x DATABASE_POOL_MAX stays under PostgreSQL's
# max_connections. DATABASE_POOL_MAX=0 turns the pool off (one connection per request,
# closed at its end), for a deployment behind PgBouncer.
DATABASE_POOL_MIN = env_int("DATABASE_POOL_MIN", 0, minimum=0)
DATABASE_POOL_MAX = env_int("DATABASE_POOL_MAX", 10, minimum=0)
DATABASE_POOL_TIMEOUT = env_float("DATABASE_POOL_TIMEOUT", 10.0, minimum=0.1)
if DATABASE_POOL_MAX and DATABASE_POOL_MIN > DATABASE_POOL_MAX:
    raise ImproperlyConfigured(
        f"DATABASE_POOL_MIN ({DATABASE_POOL_MIN}) must not be more than "
        f"DATABASE_POOL_MAX ({DATABASE_POOL_MAX})."
    )

# How many HTTP requests each process works on at once (hearth.admission); the rest wait
# their turn in order, holding no thread and no connection, for up to HTTP_QUEUE_TIMEOUT
# seconds before the busy page. 0 turns the gate off (a thread per request).
HTTP_CONCURRENCY = env_int("HTTP_CONCURRENCY", 4, minimum=0)
HTTP_QUEUE_TIMEOUT = env_float("HTTP_QUEUE_TIMEOUT", 10.0, minimum=0.1)

if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL could not be read: {error}") from None
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        if DATABASE_POOL_MAX:
            DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
                "name": "hearth",
                "min_size": DATABASE_POOL_MIN,
                "max_size": DATABASE_POOL_MAX,
                "timeout": DATABASE_POOL_TIMEOUT,
            }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "hearth.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

# How long one Redis command may take before redis-py gives up on it. channels-redis
# receives with a BZPOPMIN that Redis itself holds open for 5 seconds
# (RedisChannelLayer.brpop_timeout); a read timeout at or under that (redis-py 8's
# default is exactly 5) kills a quiet socket's consumer every five seconds. So the
# channel layer's reads wait longer than Redis blocks, and a Redis that stopped answering
# is still noticed. The cache never blocks: a short timeout keeps a hung Redis from
# holding a process's database thread. See docs/dependencies.md.
REDIS_CHANNEL_READ_TIMEOUT = 15
REDIS_CONNECT_TIMEOUT = 2
REDIS_CACHE_TIMEOUT = 2

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "hearth.cache.RedisCache",
            "LOCATION": [REDIS_URL],  # a list: Django would split a string at "," and ";"
            "KEY_PREFIX": "hearth",
            "OPTIONS": {
                "socket_timeout": REDIS_CACHE_TIMEOUT,
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": REDIS_CHANNEL_READ_TIMEOUT,
                        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                        "socket_keepalive": True,
                    }
                ],
                "prefix": "hearth:channels",
                # Up to 1,000 queued messages per process, so a burst never overflows it.
                "capacity": 1000,
            },
        }
    }
    CELERY_BROKER_URL = REDIS.broker_url
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS.broker_transport_options
    if REDIS.broker_use_ssl is not None:
        CELERY_BROKER_USE_SSL = REDIS.broker_use_ssl
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # A host name, or kombu warns "No hostname was supplied" on every eager task.
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_TASK_ALWAYS_EAGER = True

CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# The worker and beat log through LOGGING below (JSON lines), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "meetings.send_due_reminders": {
        "task": "meetings.tasks.send_due_reminders",
        "schedule": timedelta(minutes=1),
    },
    "meetings.extend_all_series": {
        "task": "meetings.tasks.extend_all_series",
        "schedule": timedelta(hours=1),
    },
    "room.expire_due_turns": {
        "task": "meetings.room.tasks.expire_due_turns",
        "schedule": timedelta(seconds=5),
    },
    "room.release_lost_connections": {
        "task": "meetings.room.tasks.release_lost_connections",
        "schedule": timedelta(seconds=30),
    },
    "room.close_rooms": {
        "task": "meetings.room.tasks.close_rooms",
        "schedule": timedelta(minutes=1),
    },
    "room.purge_expired_shares": {
        "task": "meetings.room.tasks.purge_expired_shares",
        "schedule": timedelta(minutes=15),
    },
    "moderation.end_expired_restrictions": {
        "task": "moderation.tasks.end_expired_restrictions",
        "schedule": timedelta(minutes=1),
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_USER_DISPLAY = "members.models.user_display"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Hearth] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS_ONLY else "http"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

# --- Email ----------------------------------------------------------------------------

EMAIL_URL = env_url("EMAIL_URL", ("smtp", "smtps", "console", "file"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hearth <hello@hearth.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if not EMAIL_URL or EMAIL_URL.startswith("console:"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif EMAIL_URL.startswith("file:"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = EMAIL_URL.removeprefix("file://") or "/tmp/hearth-mail"  # noqa: S108
else:
    from urllib.parse import unquote, urlsplit

    _email = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = not EMAIL_USE_SSL

# --- Internationalisation -------------------------------------------------------------

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "hearth.staticfiles.StaticFilesStorage"  # fingerprints JS module imports
        )
    },
}

# --- Security -------------------------------------------------------------------------

SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies (load balancers) stand in front of Hearth and append the address they
# saw to X-Forwarded-For; 0 (the default) believes no such header. See hearth/proxy.py.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS_ONLY else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = HTTPS_ONLY
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = HTTPS_ONLY
CSRF_FAILURE_VIEW = "hearth.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Browser features Hearth never uses are off for every page and every frame (an empty list
# is "()"). The microphone is off everywhere but the room page of a circle with voice on,
# which allows it for itself (meetings/room/views.py).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "identity-credentials-get",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "speaker-selection",
        "usb",
        "web-share",
        "xr-spatial-tracking",
    )
}

# --- Logging --------------------------------------------------------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
# One JSON object a line on standard error, every logger through the root's one handler
# (hearth/logs.py). Django's own handlers are emptied, so nothing prints twice; its
# per-request lines are replaced by ``http.request`` (hearth.logs.RequestLogMiddleware),
# and 4xx answers are not logged again with a traceback by ``django.request``.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "hearth.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"handlers": [], "level": "ERROR", "propagate": True},
        "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
        # Daphne's runserver line for each request (a 4xx as a warning) names the path.
        "django.channels.server": {"handlers": [], "level": "ERROR", "propagate": True},
        # A CSRF refusal is the 403 in http.request; its own line would print the path,
        # which can carry an invite token.
        "django.security.csrf": {"handlers": [], "level": "ERROR", "propagate": True},
        "django.db.backends": {"handlers": [], "level": "INFO", "propagate": True},
        # "Task ... succeeded": a worker's record of its work, but under eager Celery (the
        # embedded mode) a line for every email an RSVP sends; there only failures show.
        "celery.app.trace": {
            "handlers": [],
            "level": LOG_LEVEL if REDIS_URL else "WARNING",
            "propagate": True,
        },
        # The pool logs every connection it lends at INFO; its warnings are what matter.
        "psycopg.pool": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}

# --- Hearth ---------------------------------------------------------------------------

HEARTH_DEFAULT_CRISIS_RESOURCES = env_str(
    "HEARTH_DEFAULT_CRISIS_RESOURCES",
    "If you are in danger right now, call your local emergency number.\n"
    "International directory of crisis lines: https://findahelpline.com\n"
    "In the US: call or text 988 (Suicide & Crisis Lifeline).\n"
    "In the UK and Ireland: call Samaritans on 116 123.",
)

# Follow-ups (docs/followups.md): days a closed thread is kept before the purge.
# At most ten years: a larger number of days overflows the purge's date arithmetic.
HEARTH_FOLLOW_UP_RETENTION_DAYS = env_int(
    "HEARTH_FOLLOW_UP_RETENTION_DAYS", 30, minimum=1, maximum=3650
)

# The room's per-account budget of socket frames in each window of
# meetings.room.limits.RATE_LIMIT_SECONDS. Only the load tests' and the benchmark's
# settings raise it; the value and its reason live in meetings/room/limits.py.
ROOM_RATE_LIMIT_FRAMES = RATE_LIMIT_FRAMES

# Voice in the talking circle (docs/voice.md). With a TURN server (coturn, sharing
# TURN_SECRET as its static-auth-secret), pages relay all sound through it and members
# never see one another's addresses; without one (make run), peers connect directly.
TURN_URLS = env_list("TURN_URLS")
TURN_SECRET = env_str("TURN_SECRET")
if bool(TURN_URLS) != bool(TURN_SECRET):
    raise ImproperlyConfigured(
        "TURN_URLS and TURN_SECRET go together: set both (the TURN server's URLs and the "
        "static-auth-secret it shares with Hearth) or neither (voice then connects peers "
        "directly, which shows them each other's addresses)."
    )
for _url in TURN_URLS:
    if not _url.startswith(("turn:", "turns:")):
        raise ImproperlyConfigured(
            f"TURN_URLS must list turn: or turns: URLs, as in turn:turn.example.org:3478 "
            f"(got {_url!r})."
        )
VOICE_MAX_PARTICIPANTS = env_int(
    "VOICE_MAX_PARTICIPANTS", DEFAULT_VOICE_MAX_PARTICIPANTS, minimum=2, maximum=50
)
