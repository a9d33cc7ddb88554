"""Settings shared by every environment.

The environment is read here, once, through django-environ. ``dev`` is the embedded
default (SQLite, tasks in-process); ``production`` insists on its services.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from accounts.roles import Role
from common.oidc import (
    DEFAULT_MFA_AMR_VALUES,
    SSOConfigurationError,
    parse_role_map,
    socialaccount_providers,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# The statistics libraries use one thread per process: web and task processes already
# run side by side, and competing maths threads make small calculations far slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

env = environ.Env()
# A local .env file is a convenience for developers; real deployments set variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    # Project apps first so their templates win.
    "accounts",
    "content",
    "assessments",
    "learning",
    "evaluation",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.WagtailUsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Sign-in
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Forms
    "crispy_forms",
    "crispy_forms_gds",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.audit.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After the person is known: admin 403 instead of a sign-in loop, MFA by role.
    "accounts.middleware.SignedInAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "config.context_processors.service",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# SQLite by default; any DATABASE_URL (PostgreSQL in production) overrides it.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def sqlite_options() -> dict:
    """WAL journal and a busy timeout, so the web process and in-process tasks share
    the file without "database is locked" errors."""
    return {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(sqlite_options())

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# The admin signs in through allauth too, so MFA and email verification apply there.
WAGTAILADMIN_LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "learning:resume"
LOGOUT_REDIRECT_URL = "/"

# django-allauth: email is the login; accounts are created by administrators.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Coach Academy] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Coach Academy"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
# Roles (group names) whose members must set up two-factor authentication before they
# reach the areas below; superusers always must. See accounts/mfa.py.
MFA_REQUIRED_ROLES = env.list(
    "MFA_REQUIRED_ROLES", default=["Trainer", "Evaluator", "Administrator"]
)
MFA_PROTECTED_PATHS = ["/admin/", "/evaluation/"]

# Wagtail's own sign-in, password reset, password change and email change are turned
# off (their addresses redirect to allauth's, config/urls.py), and so are shared page and
# document passwords: allauth is the one way in.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_PRIVATE_COLLECTION_OPTIONS = {"SHARED_PASSWORD": False}

# Single sign-on through the organisation's OpenID Connect provider (Microsoft Entra
# ID, say); off unless OIDC_SERVER_URL and OIDC_CLIENT_ID are set. See docs/security.md.
OIDC_SERVER_URL = env.str("OIDC_SERVER_URL", default="")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_PROVIDER_ID = env.str("OIDC_PROVIDER_ID", default="sso")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your organisation's account")
# Claims: the role claim's values mapped to roles ("value=Role;..."), and the claim
# naming the person's office (an office's name or slug).
OIDC_ROLE_CLAIM = env.str("OIDC_ROLE_CLAIM", default="roles")
OIDC_OFFICE_CLAIM = env.str("OIDC_OFFICE_CLAIM", default="")
# The "amr" values that show the provider checked a second factor.
OIDC_MFA_AMR_VALUES = env.list("OIDC_MFA_AMR_VALUES", default=list(DEFAULT_MFA_AMR_VALUES))
try:
    OIDC_ROLE_MAP = parse_role_map(env.str("OIDC_ROLE_MAP", default=""), [r.value for r in Role])
    SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
        server_url=OIDC_SERVER_URL,
        client_id=OIDC_CLIENT_ID,
        client_secret=env.str("OIDC_CLIENT_SECRET", default=""),
        provider_id=OIDC_PROVIDER_ID,
        provider_name=OIDC_PROVIDER_NAME,
        verified_email_domains=env.list("OIDC_VERIFIED_EMAIL_DOMAINS", default=[]),
    )
except SSOConfigurationError as error:
    # One clear line, as for a missing production variable: half-configured single
    # sign-on must not start.
    raise SystemExit(f"Coach Academy cannot start: {error} (see docs/security.md).") from None
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
# Accounts are created or linked without a form: by the provider's verified email.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
# Files only the service may hand out (evaluation exports), outside MEDIA_ROOT and
# with no URL: the download view checks who is asking (evaluation/checks.py).
PRIVATE_ROOT = Path(env.str("PRIVATE_ROOT", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "exports": {
        "BACKEND": "evaluation.exports.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT / "exports"},
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Wagtail
WAGTAIL_SITE_NAME = "Coach Academy"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: the admin would send a hash of every user's email address to a third
# party, and the Content-Security-Policy allows no images from it.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The editor's background autosave is off: on a create screen it can store the page
# while the form still posts to the add address, so the trainer's own Save then fails
# on the slug with a server error (seen when a refused Publish is followed by Save).
WAGTAIL_AUTOSAVE_INTERVAL = 0
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Celery: the broker comes from REDIS_URL; dev runs tasks in-process.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    # Scheduled publishing of pages, quizzes and surveys.
    "publish-scheduled-content": {"task": "content.publish_scheduled", "schedule": 300.0},
    # Follow-up surveys falling due, and their reminders (daily, 07:00 UK time).
    "follow-up-reminders": {
        "task": "learning.send_follow_up_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Accounts unused for RETENTION_INACTIVE_DAYS lose their identity (daily, 03:30).
    "apply-retention": {
        "task": "accounts.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    # Evaluation exports whose download link has expired: their files are deleted.
    "delete-expired-exports": {
        "task": "evaluation.delete_expired_exports",
        "schedule": crontab(minute=15),
    },
}

# Security headers (docs/security.md) ---------------------------------------------
# Content-Security-Policy, enforced. The service's own pages run only scripts from
# this site or carrying the response's nonce (the one inline script in base.html);
# styles only from this site. Video embeds may come from the providers below.
CSP_FRAME_SOURCES = env.list(
    "CSP_FRAME_SOURCES",
    default=[
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ],
)
CSP_IMG_SOURCES = [SELF, "data:"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": CSP_IMG_SOURCES,
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *CSP_FRAME_SOURCES],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [SELF],
    }
}
# The Wagtail admin (every URL under it, page previews included) puts inline scripts
# and style attributes in its widgets and panels, so it gets its own, looser policy:
# inline scripts and styles allowed there (no nonce, which would switch
# 'unsafe-inline' off), still nothing from other sites (config/security.py).
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [*CSP_IMG_SOURCES, "blob:"],
    }
}
# Permissions-Policy: no page of the service needs any of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Coach Academy <noreply@localhost>")

# Evaluation ---------------------------------------------------------------------
# Disclosure control: any figure resting on fewer than this many people is shown
# as "[c]", in the evaluator area, in reports and in aggregate exports.
EVALUATION_DISCLOSURE_K = env.int("EVALUATION_DISCLOSURE_K", default=10)
# Pseudonymisation keys for exports, one per evaluation project or recipient:
# "key-id=secret;other-id=other-secret". The key id is written into every export;
# the secret never is.
EVALUATION_PSEUDONYM_KEYS: dict[str, str] = {
    key_id.strip(): secret.strip()
    for key_id, _, secret in (
        pair.partition("=") for pair in env.str("EVALUATION_PSEUDONYM_KEYS", default="").split(";")
    )
    if key_id.strip() and secret.strip()
}
# How long a finished export can be downloaded, in days.
EVALUATION_EXPORT_EXPIRY_DAYS = env.int("EVALUATION_EXPORT_EXPIRY_DAYS", default=7)

# Retention: accounts nobody has signed in to for this many days (or, if never used,
# created this long ago) have their identity erased by ``apply_retention``.
RETENTION_INACTIVE_DAYS = env.int("RETENTION_INACTIVE_DAYS", default=730)

# The service's name and phase, shown in the header and phase banner.
# Demo accounts with a published password: never in production.
DEMO_ALLOWED = False

SERVICE_NAME = "Coach Academy"
SERVICE_PHASE = env.str("SERVICE_PHASE", default="Beta")
SERVICE_FEEDBACK_EMAIL = env.str("SERVICE_FEEDBACK_EMAIL", default="coach-academy@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
