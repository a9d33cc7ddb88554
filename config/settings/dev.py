"""The embedded default: SQLite, Celery tasks run in-process, email to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# Tasks run in the web process, so the demo needs neither Redis nor a worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEMO_ALLOWED = True

# Serve static files straight from the finders; there is no collectstatic here.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A demonstration pseudonymisation key, unless real ones are set. Never in production.
EVALUATION_PSEUDONYM_KEYS = EVALUATION_PSEUDONYM_KEYS or {  # noqa: F405
    "demo": "demo-only-pseudonym-key-not-secret"
}
