"""Production: PostgreSQL, Redis, real email. Start-up stops with one clear line if a
required variable is missing."""

from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import ADMIN_CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY, STORAGES, env

REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS")


def missing_settings(environ_: dict) -> list[str]:
    return [name for name in REQUIRED if not environ_.get(name, "").strip()]


_missing = missing_settings(env.ENVIRON)
if _missing:
    # One clear line and a non-zero exit: a half-configured site must not serve.
    raise SystemExit(
        "Coach Academy cannot start: missing required environment variable"
        f"{'s' if len(_missing) > 1 else ''} {', '.join(_missing)} "
        "(see README.md, 'Running in production')."
    )

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise SystemExit("Coach Academy cannot start: DATABASE_URL must be PostgreSQL.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env.str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "exports": STORAGES["exports"],  # a private local folder with no URL (base.py)
}
# Uploaded files and evaluation exports in S3-compatible object storage, shared by
# every web and worker host, when a bucket is named. Credentials come from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the host's role; the bucket stays
# private and files are fetched through the service (see docs/exports.md).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
        },
    }
    # Exports: a prefix of their own, objects written private whatever the bucket's
    # default, and any URL signed and short-lived. The service reads them itself and
    # streams them to the evaluator; it never hands out a bucket URL.
    STORAGES["exports"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],
            "location": "/".join(
                part for part in (env.str("AWS_LOCATION", default=""), "private/exports") if part
            ),
            # Buckets with ACLs turned off take no ACL header: set AWS_EXPORTS_ACL empty.
            "default_acl": env.str("AWS_EXPORTS_ACL", default="private") or None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "custom_domain": None,
        },
    }
    # Wagtail's images are then shown straight from the bucket: allow it as an image
    # source in both Content-Security-Policies.
    _region = STORAGES["default"]["OPTIONS"]["region_name"]
    _endpoint = STORAGES["default"]["OPTIONS"]["endpoint_url"]
    _bucket_origins = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
    if _region:
        _bucket_origins.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{_region}.amazonaws.com")
    if _endpoint:
        _parts = urlsplit(_endpoint)
        _bucket_origins.append(f"{_parts.scheme}://{_parts.netloc}")
    for _policy in (CONTENT_SECURITY_POLICY, ADMIN_CONTENT_SECURITY_POLICY):
        _policy["DIRECTIVES"]["img-src"] = [*_policy["DIRECTIVES"]["img-src"], *_bucket_origins]

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# Wagtail shows page and snippet previews in a same-origin frame.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = [
    "security.W019",  # SAMEORIGIN framing is needed for previews (above)
    "security.W021",  # joining the HSTS preload list is the operator's decision
]
