"""Production settings keep export files private, on disk and in a bucket."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FULL_ENV = {
    "SECRET_KEY": "x" * 60,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/coach_academy",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "coach-academy.example",
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
}
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.checks import run_checks
print(json.dumps({
    "storages": settings.STORAGES,
    "media_root": str(settings.MEDIA_ROOT),
    "img_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
    "errors": [e.id for e in run_checks(tags=["security"])],
}, default=str))
"""


def settings_with(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(FULL_ENV, **extra)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_bucket_exports_are_in_a_private_folder_outside_media():
    found = settings_with()
    exports = found["storages"]["exports"]
    assert exports["BACKEND"] == "evaluation.exports.storage.PrivateFileSystemStorage"
    location = Path(exports["OPTIONS"]["location"])
    assert Path(found["media_root"]) not in location.parents
    assert location.parts[-2:] == ("private", "exports")
    assert found["errors"] == []


def test_with_a_bucket_exports_are_private_objects_under_their_own_prefix():
    found = settings_with(
        AWS_STORAGE_BUCKET_NAME="ca-bucket", AWS_S3_REGION_NAME="eu-west-2", AWS_LOCATION="site"
    )
    media = found["storages"]["default"]["OPTIONS"]
    exports = found["storages"]["exports"]["OPTIONS"]
    assert found["storages"]["exports"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert exports["bucket_name"] == "ca-bucket"
    assert exports["location"] == "site/private/exports" != media["location"]
    assert exports["default_acl"] == "private"
    assert exports["querystring_auth"] is True
    assert exports["custom_domain"] is None
    assert found["errors"] == []
    assert "https://ca-bucket.s3.eu-west-2.amazonaws.com" in found["img_src"]
