"""Settings for Conduct Portal, all driven by the environment (django-environ).

Environment variables (all optional in development; a ``.env`` file beside ``manage.py`` may set them too):

- ``DEBUG``: ``1`` in development (``make run`` sets it); off by default, which means production.
- ``SECRET_KEY``: required when ``DEBUG`` is off. In development a key is generated once into
  ``var/secret_key``.
- ``DATABASE_URL``: e.g. ``postgres://user@127.0.0.1:5432/conduct``. Default: SQLite at ``var/db.sqlite3``.
- ``REDIS_URL``: e.g. ``redis://127.0.0.1:6379/0``, used as Celery broker and result backend. Default: an
  embedded file-system broker under ``var/celery/`` that needs no server, so ``make run`` still runs a real
  Celery worker and beat.
- ``ALLOWED_HOSTS``: comma-separated host names (default in development: localhost names).
- ``CSRF_TRUSTED_ORIGINS``: comma-separated origins, e.g. ``https://quytac.hanoi.gov.vn``.
- ``DB_CONN_MAX_AGE``: seconds a database connection is kept (default 600: a new connection per request
  costs 4× the throughput).
- ``EMAIL_URL``: e.g. ``smtp+tls://user:pass@mail.example:587``; default prints mail to the console.
- ``DEFAULT_FROM_EMAIL``: sender of the portal's e-mail.
- ``MEDIA_ROOT``: where uploaded and generated files are kept (default ``var/media``) when there is no object store.
- ``AWS_STORAGE_BUCKET_NAME``: keep every file in this bucket of an S3-compatible object store (AWS S3, MinIO)
  instead, for several machines; with ``AWS_S3_ENDPOINT_URL`` (e.g. ``http://minio:9000``; empty for AWS),
  ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_S3_REGION_NAME``, ``AWS_S3_ADDRESSING_STYLE`` (``path``).
- ``WEB_CONCURRENCY``: gunicorn's worker processes; above 1, ``check --deploy`` warns about a per-process cache.
- ``BEAT_LOCK_TIMEOUT`` (60): seconds Celery beat's lock in Redis lasts without renewal (one beat at a time).
- ``PORTAL_BASE_URL``: the portal's address for links in e-mail, e.g. ``https://quytac.hanoi.gov.vn``
  (default ``http://127.0.0.1:8000``).
- ``PLEDGE_REMINDER_AFTER_DAYS``: days after a pledge campaign opens before officers are reminded daily (7).
- ``RATING_SHEET_AUTOLOCK_DAYS``: approved monthly sheets lock by themselves after this many days (10).
- ``FEEDBACK_DUE_WORKING_DAYS`` (10), ``FEEDBACK_RETENTION_DAYS`` (365): deadline of a feedback case, and how
  long the contact details of a closed case are kept.
- ``FEEDBACK_REOPEN_DAYS`` (14): days after a case is resolved during which its citizen may reopen it from the
  tracking page (with a reason; the case returns to the inbox with a new due date).
- ``SMS_BACKEND``: dotted path of the class that sends SMS to citizens (``feedback.citizen.sms.ConsoleSmsBackend``,
  the default, prints them; ``feedback.citizen.sms.HttpSmsBackend`` posts them to an HTTP SMS gateway configured by
  ``SMS_GATEWAY_URL``, ``SMS_GATEWAY_USER``, ``SMS_GATEWAY_PASSWORD`` (HTTP basic authentication) and
  ``SMS_GATEWAY_SENDER`` (the brand name shown as sender)). ``SMS_MESSAGE_TEMPLATE``: the SMS text, with
  ``{unit}``, ``{code}``, ``{event}`` and ``{url}`` filled in.
- ``CITIZEN_MESSAGE_RETRIES`` (5): how many times a failed e-mail or SMS to a citizen is tried again (after 1, 2,
  4, … minutes) before it is recorded as failed.
- ``FEEDBACK_RATE_LIMIT`` (5) per ``FEEDBACK_RATE_WINDOW`` seconds (600): submissions per address on the public
  form; ``KIOSK_LOCKOUT_SECONDS`` (10): pause between two votes on a satisfaction kiosk;
  ``FEEDBACK_UNIT_CACHE_SECONDS`` (60): seconds each web process keeps a public form's unit.
- ``EXPORT_RETENTION_DAYS`` (7): days a finished background export stays downloadable before its file is removed;
  ``EXPORT_BACKGROUND_ROWS`` (10000): exports larger than this run as a Celery job instead of in the request.
- ``REPORTS_BUILD_STEP_DELAY`` (0): seconds a quarterly report's or annual summary's build pauses between sections
  (tests, demos).
- ``JOB_STALE_AFTER`` (300): seconds without a sign of life after which a waiting or running background job
  (report, export) is taken for stuck: its worker died or its message was lost. A sweep every minute sends it
  again (as it does at once for a job whose message the broker could not take), and its page offers a retry.
- ``JOB_MAX_ATTEMPTS`` (3): a job whose worker stopped this many times is marked failed instead of sent again.
- ``SECURE_SSL_REDIRECT`` (on in production), ``SECURE_HSTS_SECONDS`` (a year in production, 0 in development):
  HTTPS only; ``BEHIND_TLS_PROXY=1`` when a reverse proxy terminates TLS and sets ``X-Forwarded-Proto``.
- ``LOGIN_FAILURE_LIMIT`` (5), ``LOGIN_LOCKOUT_MINUTES`` (15): wrong passwords before a username is locked out
  from that address, and for how long (django-axes).
- ``TRUSTED_PROXY_COUNT`` (0): how many reverse proxies in front of the web server append the address they received
  a request from to ``X-Forwarded-For`` (1 for one nginx). 0 uses ``REMOTE_ADDR`` only and ignores the header; N takes
  the client's address from the N-th entry from the right of ``X-Forwarded-For``, for the login lock-out, the public
  form's rate limits and a pledge's recorded address. Set it only when clients cannot reach the server directly.
- ``TWO_FACTOR_REQUIRED_ROLES``: comma-separated roles (e.g. ``district_office,city_admin``) whose users must
  use two-factor login: without an authenticator app they are sent to its set-up page after logging in. Empty by
  default: two-factor login is then optional, offered to district offices and city administrators.
- ``NOTIFICATION_DIGEST_HOUR`` (7): hour (local time) of the daily digest e-mail of notifications;
  ``RATING_REMINDER_DAY`` (25), ``RATING_DUE_DAY`` (5): from which day of the month officers are reminded to rate
  the month, and by which day of the next month.
- ``DEMO_PASSWORD``: password of the demo users made by ``seed_demo`` (default ``hanoi-2026``).
- ``DEMO_OPEN311_KEY``: the API key of the demo's Open311 partner made by ``seed_demo`` (a fixed, public demo value by
  default: demo only, never on a real portal).
"""

import datetime
from pathlib import Path
import secrets

from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
# A developer's .env (written by `make`); variables already set in the environment take precedence.
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)


def _development_secret_key() -> str:
    """Generate the development key once and keep it, so sessions survive restarts."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) refuses to start without one; "
            "set SECRET_KEY, or DEBUG=1 for development."
        )
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "bootstrap",  # django-bootstrap-static: Bootstrap 5 served from our own static files
    "core",
    "units",
    "pledges",
    "evaluations",
    "feedback",
    "reports",
    "portal",  # also the code step of two-factor login (connects the login signal)
    "seed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Sends a session that still owes the code (or the set-up) of two-factor login to that page.
    "portal.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "conduct_portal.urls"
WSGI_APPLICATION = "conduct_portal.wsgi.application"
ASGI_APPLICATION = "conduct_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
                "portal.context_processors.legal_basis",
                "units.notifications.context_processors.notifications",
                "pledges.banner.pledge_banner",
            ],
            "builtins": ["core.templatetags.core_tags"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat write to the same file: WAL lets readers go on while one writes,
    # IMMEDIATE takes the write lock up front instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ----------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "units.User"
# django-axes first: it refuses a locked-out username before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# After LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that pair waits
# LOGIN_LOCKOUT_MINUTES (locking the address alone would lock out a whole office behind one NAT).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address (login lock-out, public-form rate limits, a pledge's recorded address) is REMOTE_ADDR unless
# TRUSTED_PROXY_COUNT reverse proxies are declared: then it is that many entries from the right of X-Forwarded-For
# (core.http.client_address). Never set it when clients can reach the web server directly: they could forge it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no reverse proxy) or the number of proxies in front.")
AXES_CLIENT_IP_CALLABLE = "core.http.client_address"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Two-factor login (django-otp, TOTP): optional for district offices and city administrators; required for the roles
# listed here (values of units.choices.Role).
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = "Cổng Quy tắc ứng xử"  # the name authenticator apps show beside the code
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # one working day
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# --- Language and time ------------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},  # an object store instead: see below
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads above this are refused before they reach a form (Excel imports are validated again, tighter).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# In development WhiteNoise serves straight from the apps' static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ---------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng Quy tắc ứng xử <no-reply@localhost>")

# --- Security headers -------------------------------------------------------------------------------------
# Scripts only from the portal's own static files: no inline script, no eval, nothing from elsewhere. Styles
# allow inline attributes (progress bars' widths, htmx's indicator style); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", False) else None
# Production is HTTPS only: plain HTTP is redirected (but the health probe, which runs on the host itself), and
# browsers are told to come back only over HTTPS for a year.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Celery ---------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

# --- Cache (rate limits of the public pages) -------------------------------------------------------------
# Shared between web workers: Redis when there is one; a single development server does with local memory.
CACHES = {
    # Short socket timeouts: an unreachable Redis host must not hang a citizen's request (the rate limit then
    # degrades and lets the request through, see feedback.public.ratelimit).
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
else:
    # Kombu's file-system transport: the web, the worker and beat exchange messages through files, so the
    # embedded default needs no broker server at all.
    for folder in ("queue", "processed", "results", "control"):
        (CELERY_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# A job whose worker dies mid-way is delivered again instead of being lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BEAT_SCHEDULE = {
    "evaluations-lock-approved-sheets": {
        "task": "evaluations.rating_sheets_lock_approved",
        "schedule": 6 * 60 * 60,
    },
    "pledges-send-reminders": {
        "task": "pledges.pledge_reminders_send",
        "schedule": 60 * 60,  # hourly; a unit gets at most one reminder a day whatever the schedule
    },
    "units-sync-from-package": {
        "task": "units.units_sync_from_package",
        # Sunday night: picks up renamed or new units after the vietnam-provinces package is upgraded.
        "schedule": 7 * 24 * 60 * 60,
    },
    "feedback-purge-contact-details": {
        "task": "feedback.feedback_contacts_purge",
        "schedule": 24 * 60 * 60,
    },
    "feedback-resend-citizen-messages": {
        "task": "feedback.citizen_messages_resend",
        "schedule": 10 * 60,
        "options": {"expires": 9 * 60},
    },
    "reports-build-past-quarter": {
        "task": "reports.quarterly_reports_build_past_quarter",
        # Day 5 after a quarter ends (5 January, April, July, October), at night: the review of every province and
        # city and every ward and commune in force.
        "schedule": crontab(minute=0, hour=2, day_of_month=5, month_of_year="1,4,7,10"),
    },
    "reports-build-past-year": {
        "task": "reports.annual_reports_build_past_year",
        # 15 January, at night (after the 5 January run of Q4, leaving ten days to approve Q4's commendation
        # lists): the past year's summary of every province and city and every ward and commune in force.
        "schedule": crontab(minute=0, hour=3, day_of_month=15, month_of_year=1),
    },
    "reports-purge-expired-exports": {
        "task": "reports.export_files_purge",
        "schedule": 6 * 60 * 60,
    },
}
# Notifications: the daily digest of the e-mails users chose to receive once a day, at this hour (local time);
# the scans for what falls due (feedback cases, corrective actions, monthly sheets, pledges) just before it.
NOTIFICATION_DIGEST_HOUR = env.int("NOTIFICATION_DIGEST_HOUR", default=7)
CELERY_BEAT_SCHEDULE["units-notification-digests"] = {
    "task": "units.notification_digests_send",
    "schedule": crontab(minute=0, hour=NOTIFICATION_DIGEST_HOUR),
}
CELERY_BEAT_SCHEDULE["units-notification-emails-sweep"] = {
    "task": "units.notification_emails_sweep",
    "schedule": 5 * 60,
    "options": {"expires": 4 * 60},
}
CELERY_BEAT_SCHEDULE["feedback-notify-due-cases"] = {
    "task": "feedback.feedback_due_notify",
    "schedule": crontab(minute=30, hour=(NOTIFICATION_DIGEST_HOUR - 1) % 24),
}
# The citizens' new cases (public form, Open311): their unit's officers are told within a minute.
CELERY_BEAT_SCHEDULE["feedback-notify-new-cases"] = {
    "task": "feedback.new_cases_notify",
    "schedule": 60,
    "options": {"expires": 55},
}
# The public statistics' finished months, recomputed every night (feedback.stats.rollup).
CELERY_BEAT_SCHEDULE["feedback-stats-rollup"] = {
    "task": "feedback.feedback_stats_rollup",
    "schedule": crontab(minute=15, hour=1),
}
CELERY_BEAT_SCHEDULE["evaluations-notify-due"] = {
    "task": "evaluations.notifications_due_scan",
    "schedule": crontab(minute=40, hour=(NOTIFICATION_DIGEST_HOUR - 1) % 24),
}
# Monthly rating: from this day of the month, the officers of units whose sheet of the month is not submitted yet are
# reminded (once a month) to rate by day RATING_DUE_DAY of the next month.
RATING_REMINDER_DAY = env.int("RATING_REMINDER_DAY", default=25)
RATING_DUE_DAY = env.int("RATING_DUE_DAY", default=5)

# Background jobs (quarterly reports, annual summaries, exports) whose worker died or whose message was lost or never
# sent (broker down) are sent again by a sweep every minute: a job waiting or running without a sign of life (progress,
# or its worker's heartbeat every fifth of this) for JOB_STALE_AFTER seconds, or still unsent 30 s after it was asked.
# Its page then offers its requester to retry at once. A job whose worker stopped JOB_MAX_ATTEMPTS times fails.
JOB_STALE_AFTER = env.int("JOB_STALE_AFTER", default=5 * 60)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE["core-resend-stuck-jobs"] = {
    "task": "core.background_jobs_sweep",
    "schedule": 60,
    "options": {"expires": 55},  # a sweep that waited behind long jobs is dropped: the next one comes anyway
}

# --- Several machines: shared files, sessions, cache and one beat ----------------------------------------------
# Every stored file (uploads, generated workbooks) goes through Django's storage API. With AWS_STORAGE_BUCKET_NAME
# set, that is an S3-compatible object store (AWS S3, MinIO, …) through django-storages, shared by every web server
# and worker; otherwise the MEDIA_ROOT folder, which only one machine can use. Objects stay private (no public ACL,
# no public URL): the portal serves every file itself, through its scope-checked views.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # MinIO and other self-hosted stores answer on one host name: the bucket goes into the path.
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            # A file being downloaded is kept in memory up to this size, beyond it in a temporary file.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }
# Sessions live in the database (Django's default engine, named here so nobody swaps in a per-process one), so any
# web server serves any request; login lock-outs (django-axes) are rows in the database too; rate limits are in the
# cache, Redis when REDIS_URL is set (above). `manage.py check --deploy` warns when the cache is per process
# (core.checks): each web process would count a client's requests apart.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Gunicorn's worker count (its own variable), read by that check: above 1, a per-process cache is refused too in
# development.
WEB_CONCURRENCY = env.int("WEB_CONCURRENCY", default=1)
# One Celery beat at a time: a second beat (another machine, a restarted container) waits on a lock in Redis
# (conduct_portal.beat.LockedScheduler, held BEAT_LOCK_TIMEOUT seconds and renewed at every tick) and takes over
# only when the first stops renewing it.
CELERY_BEAT_SCHEDULER = "conduct_portal.beat:LockedScheduler"
BEAT_LOCK_TIMEOUT = env.int("BEAT_LOCK_TIMEOUT", default=60)

# --- The portal's own -------------------------------------------------------------------------------------
# Provinces kept in sync with the vietnam-provinces package (1 = Hà Nội).
UNITS_SYNC_PROVINCES = env.list("UNITS_SYNC_PROVINCES", cast=int, default=[1])
STAFF_IMPORT_MAX_BYTES = 5 * 1024 * 1024
STAFF_IMPORT_MAX_ROWS = 5000
# The portal's public address, for links in e-mail (e.g. https://quytac.hanoi.gov.vn).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
PLEDGE_SCAN_MAX_BYTES = 5 * 1024 * 1024
# Officers are reminded of unsigned staff this many days after a campaign opens, then every day until it closes.
PLEDGE_REMINDER_AFTER_DAYS = env.int("PLEDGE_REMINDER_AFTER_DAYS", default=7)
# Citizen feedback: answer within this many working days; contact details of closed cases are erased after
# the retention period (Decree 13/2023, Law 91/2025 on personal data).
FEEDBACK_DUE_WORKING_DAYS = env.int("FEEDBACK_DUE_WORKING_DAYS", default=10)
FEEDBACK_RETENTION_DAYS = env.int("FEEDBACK_RETENTION_DAYS", default=365)
FEEDBACK_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Public form and kiosk: at most this many submissions per client address in the window (seconds).
FEEDBACK_RATE_LIMIT = env.int("FEEDBACK_RATE_LIMIT", default=5)
FEEDBACK_RATE_WINDOW = env.int("FEEDBACK_RATE_WINDOW", default=10 * 60)
# Tracking-code look-ups per address and window: enough for a citizen, too few to guess codes.
FEEDBACK_TRACK_RATE_LIMIT = env.int("FEEDBACK_TRACK_RATE_LIMIT", default=30)
# Seconds each web process keeps a public form's unit (the form's POST then reads nothing before storing).
FEEDBACK_UNIT_CACHE_SECONDS = env.int("FEEDBACK_UNIT_CACHE_SECONDS", default=60)
KIOSK_LOCKOUT_SECONDS = env.int("KIOSK_LOCKOUT_SECONDS", default=10)
# A citizen may reopen a resolved case from the tracking page this many days after it was resolved.
FEEDBACK_REOPEN_DAYS = env.int("FEEDBACK_REOPEN_DAYS", default=14)
# Messages to citizens (feedback.citizen): SMS through a backend chosen here (the console one prints them), and how
# many times a failed e-mail or SMS is tried again.
SMS_BACKEND = env.str("SMS_BACKEND", default="feedback.citizen.sms.ConsoleSmsBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_USER = env.str("SMS_GATEWAY_USER", default="")
SMS_GATEWAY_PASSWORD = env.str("SMS_GATEWAY_PASSWORD", default="")
SMS_GATEWAY_SENDER = env.str("SMS_GATEWAY_SENDER", default="")
SMS_MESSAGE_TEMPLATE = env.str(
    "SMS_MESSAGE_TEMPLATE", default="{unit}: phản ánh {code} {event}. Xem: {url}"
)
CITIZEN_MESSAGE_RETRIES = env.int("CITIZEN_MESSAGE_RETRIES", default=5)
# Approved monthly sheets lock by themselves this many days after approval.
RATING_SHEET_AUTOLOCK_DAYS = env.int("RATING_SHEET_AUTOLOCK_DAYS", default=10)
# Finished background exports stay downloadable this many days; larger exports than this run in the background.
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=10_000)
# Seconds a quarterly report's (or annual summary's) build waits between its sections: 0 in real use; tests and demonstrations set it
# to watch the progress bar, or to kill a worker in the middle of a job.
REPORTS_BUILD_STEP_DELAY = env.float("REPORTS_BUILD_STEP_DELAY", default=0)
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="hanoi-2026")
# Demo only: published in the README, so anyone can try the Open311 API on a demo portal.
DEMO_OPEN311_KEY = env.str("DEMO_OPEN311_KEY", default="cp311_demo0000_demo-only-key-do-not-use-in-production")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes announces itself at every start of every command; its warnings (lock-outs) still show.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}
