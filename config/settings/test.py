"""Settings for the test suite.

SQLite in memory unless DATABASE_URL names another database (CI runs the suite a
second time with PostgreSQL).
"""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

if not env.str("DATABASE_URL", default=""):
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "OPTIONS": {"timeout": 20},
        "TEST": {"NAME": ":memory:"},
    }


PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "exports": {"BACKEND": "evaluation.exports.storage.PrivateInMemoryStorage"},
}
WAGTAILEMBEDS_FINDERS = [{"class": "tests.embed_finder.StubEmbedFinder"}]
DEMO_ALLOWED = True

# Serve static files straight from the finders; there is no collectstatic here.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Two keys, so tests can show that pids under different keys cannot be linked.
EVALUATION_PSEUDONYM_KEYS = {
    "project-a": "test-only-pseudonym-key-a",
    "project-b": "test-only-pseudonym-key-b",
}
