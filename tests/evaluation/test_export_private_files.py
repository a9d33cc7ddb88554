"""Export files are reachable by no URL: only the download view hands them out."""

import importlib
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import clear_url_caches, reverse

import config.urls
from accounts.roles import Role
from evaluation.exports.storage import NO_URL, export_storage
from tests.evaluation.conftest import Person
from tests.evaluation.test_export_web import make_job
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def on_disk(tmp_path, media_root=None):
    """Media and exports on real disk, as in development; DEBUG on, so the URLs serve
    MEDIA_ROOT as they do on a developer's machine."""
    media = media_root or tmp_path / "media"
    return override_settings(
        DEBUG=True,
        MEDIA_ROOT=str(media),
        STORAGES={
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(media)},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "exports": {
                "BACKEND": "evaluation.exports.storage.PrivateFileSystemStorage",
                "OPTIONS": {"location": str(tmp_path / "private" / "exports")},
            },
        },
    )


@pytest.fixture
def debug_urls():
    """Reload the URLs after DEBUG is switched on, and again afterwards."""

    def reload():
        importlib.reload(config.urls)
        clear_url_caches()

    yield reload
    reload()


def test_a_real_export_is_served_by_the_download_view_and_no_media_url(
    client, disclosure, tmp_path, debug_urls
):
    Person(disclosure).complete()
    evaluator = UserFactory(role=Role.EVALUATOR)
    client.raise_request_exception = False
    with on_disk(tmp_path):
        debug_urls()
        # DEBUG serves MEDIA_ROOT: an uploaded file there is reachable, as before.
        export_storage()  # the storages follow the overridden settings
        media_file = Path(tmp_path / "media" / "uploaded.txt")
        media_file.parent.mkdir(parents=True)
        media_file.write_text("an upload")
        assert client.get("/media/uploaded.txt").status_code == 200

        job = make_job(evaluator)
        assert job.status == "ready"
        stored = tmp_path / "private" / "exports" / job.file_name
        assert stored.is_file()
        assert tmp_path / "media" not in stored.parents

        client.force_login(evaluator)
        for url in (f"/media/{job.file_name}", f"/media/{Path(job.file_name).name}"):
            assert client.get(url).status_code == 404, url
        # Climbing out of MEDIA_ROOT is refused as a bad request.
        for url in (
            f"/media/../private/exports/{job.file_name}",
            f"/media/%2e%2e/private/exports/{job.file_name}",
        ):
            assert client.get(url).status_code in (400, 404), url

        with pytest.raises(ValueError, match=NO_URL):
            export_storage().url(job.file_name)

        response = client.get(reverse("evaluation:export_download", args=[job.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == stored.read_bytes()


def test_exports_are_refused_inside_media_root(tmp_path):
    with on_disk(tmp_path, media_root=tmp_path):
        errors = [error.id for error in run_checks(tags=["security"])]
    assert "evaluation.E002" in errors
    with on_disk(tmp_path):
        errors = [error.id for error in run_checks(tags=["security"])]
    assert "evaluation.E002" not in errors


def test_a_local_exports_storage_that_has_urls_is_refused(tmp_path):
    with (
        on_disk(tmp_path),
        override_settings(
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
                "exports": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private")},
                },
            }
        ),
    ):
        errors = [error.id for error in run_checks(tags=["security"])]
    assert "evaluation.E003" in errors


def test_every_settings_file_keeps_exports_out_of_the_media_storage():
    from django.conf import settings

    from config.settings import base

    exports = base.STORAGES["exports"]
    assert exports["BACKEND"] == "evaluation.exports.storage.PrivateFileSystemStorage"
    location = Path(exports["OPTIONS"]["location"]).resolve()
    assert Path(str(base.MEDIA_ROOT)).resolve() not in location.parents
    assert settings.STORAGES["exports"]["BACKEND"].endswith("PrivateInMemoryStorage")
    # The test settings' in-memory storage has no URL either.
    export_storage().save("x.csv", ContentFile(b"x"))
    with pytest.raises(ValueError, match=NO_URL):
        export_storage().url("x.csv")
