"""Exports in the evaluator area: who may start and download them, the form, the job
page and its status, the download link's expiry, and the task's retries."""

import io
import json
from datetime import timedelta

import pandas as pd
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from evaluation.exports import services
from evaluation.exports.request import make_request
from evaluation.exports.storage import export_storage
from evaluation.models import ExportAudit, ExportJob, ExportSource
from tests.evaluation.conftest import expected_long_rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluator(db):
    return UserFactory(role=Role.EVALUATOR)


@pytest.fixture
def evaluator_client(client, evaluator):
    client.force_login(evaluator)
    return client


def start(client, django_capture_on_commit_callbacks, **data):
    form = {"modules": ["disclosure-conversations"], "format": "long", "key": "project-a"}
    form.update(data)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("evaluation:exports"), form)


def make_job(user, fmt="long"):
    """A job built straight through the services (no web request)."""
    request = make_request(format=fmt, key_id="project-a", modules=["disclosure-conversations"])
    job = ExportJob.objects.create(
        requester=user, format=fmt, key_id="project-a", filters=request.to_json()
    )
    services.run_export_job(job.pk)
    job.refresh_from_db()
    return job


# Who may use exports ---------------------------------------------------------------


def urls_for(job):
    return [
        reverse("evaluation:exports"),
        reverse("evaluation:export_detail", args=[job.pk]),
        reverse("evaluation:export_status", args=[job.pk]),
        reverse("evaluation:export_download", args=[job.pk]),
    ]


def test_signed_out_people_are_sent_to_sign_in(client, world, evaluator):
    job = make_job(evaluator)
    for url in urls_for(job):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "role", [Role.WORK_COACH, Role.TRAINER, Role.TEAM_LEADER, Role.ADMINISTRATOR, None]
)
def test_everyone_but_evaluators_is_refused(client, world, evaluator, role):
    job = make_job(evaluator)
    person = UserFactory(role=role, is_superuser=role is None, is_staff=role is None)
    client.force_login(person)
    for url in urls_for(job):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("evaluation:exports"),
        {"modules": ["disclosure-conversations"], "format": "long", "key": "project-a"},
    )
    assert response.status_code == 403
    assert ExportJob.objects.count() == 1


# The form ----------------------------------------------------------------------------


def test_the_form_offers_modules_formats_and_keys(evaluator_client, disclosure):
    html = evaluator_client.get(reverse("evaluation:exports")).content.decode()
    assert 'value="disclosure-conversations"' in html
    for fmt in ("long", "wide", "codebook", "xlsx", "sav", "dta", "bundle"):
        assert f'value="{fmt}"' in html
    assert '<option value="project-a"' in html and '<option value="project-b"' in html
    assert 'type="date"' in html
    assert "You have not exported anything yet." in html


def test_a_bad_form_shows_the_error_summary_and_starts_nothing(evaluator_client, disclosure):
    response = evaluator_client.post(
        reverse("evaluation:exports"), {"since": "2025-06-02", "until": "2025-06-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Select at least one module" in html
    assert "Choose a file" in html
    assert "Choose a key" in html
    assert "The end date must be the same as or after the start date" in html
    assert 'href="#id_modules_0"' in html and 'href="#id_format_0"' in html
    assert "<title>Error:" in html
    assert not ExportJob.objects.exists()
    response = evaluator_client.post(
        reverse("evaluation:exports"),
        {"modules": ["nope"], "format": "long", "key": "project-a", "since": "31/02/2025"},
    )
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Enter the start date as a real date" in html
    assert not ExportJob.objects.exists()


def test_with_one_key_there_is_nothing_to_choose(evaluator_client, disclosure, settings):
    settings.EVALUATION_PSEUDONYM_KEYS = {"only": "a-secret"}
    html = evaluator_client.get(reverse("evaluation:exports")).content.decode()
    assert "<select" not in html and "(the only one set up)" in html


def test_with_no_key_nothing_can_be_exported(evaluator_client, disclosure, settings):
    settings.EVALUATION_PSEUDONYM_KEYS = {}
    response = evaluator_client.post(
        reverse("evaluation:exports"), {"modules": ["disclosure-conversations"], "format": "long"}
    )
    assert "No pseudonymisation key is set up" in response.content.decode()
    assert not ExportJob.objects.exists()


# The whole journey -------------------------------------------------------------------


def test_an_export_is_built_in_the_background_audited_and_downloaded(
    evaluator_client, evaluator, world, django_capture_on_commit_callbacks
):
    response = start(evaluator_client, django_capture_on_commit_callbacks, since="2000-01-01")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:export_detail", args=[job.pk])
    assert job.status == ExportJob.Status.READY
    assert job.requester == evaluator
    assert job.expires_at - job.finished_at == timedelta(days=7)

    status = evaluator_client.get(reverse("evaluation:export_status", args=[job.pk])).json()
    assert status["status"] == "ready" and status["progress"] == 100 and status["finished"]
    assert status["download_url"] == reverse("evaluation:export_download", args=[job.pk])

    html = evaluator_client.get(reverse("evaluation:export_detail", args=[job.pk])).content
    assert status["download_url"].encode() in html
    assert job.sha256.encode() in html
    assert b"http-equiv" not in html

    audit = ExportAudit.objects.get()
    assert audit.source == ExportSource.WEB
    assert audit.user == evaluator and audit.actor == evaluator.email
    assert audit.job_id == job.pk
    assert audit.key_id == "project-a" and audit.format == "long"
    assert audit.filters["modules"] == ["disclosure-conversations"]
    assert audit.filters["started_since"] == "2000-01-01"
    assert audit.row_count == len(expected_long_rows())

    download = evaluator_client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv"
    assert "attachment" in download["Content-Disposition"]
    assert job.download_name in download["Content-Disposition"]
    body = b"".join(download.streaming_content)
    frame = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
    assert len(frame) == audit.row_count
    # Downloading is not exporting: still one audit row.
    evaluator_client.get(status["download_url"])
    assert ExportAudit.objects.count() == 1
    # The list shows the job.
    html = evaluator_client.get(reverse("evaluation:exports")).content.decode()
    assert reverse("evaluation:export_detail", args=[job.pk]) in html


def test_a_job_page_in_progress_refreshes_without_javascript_and_polls_with_it(
    evaluator_client, evaluator, disclosure
):
    job = ExportJob.objects.create(
        requester=evaluator,
        format="long",
        key_id="project-a",
        filters={"format": "long", "key_id": "project-a", "modules": []},
        status=ExportJob.Status.RUNNING,
    )
    cache.set(services.progress_key(job.pk), 42)
    html = evaluator_client.get(reverse("evaluation:export_detail", args=[job.pk])).content
    assert b'<noscript><meta http-equiv="refresh"' in html
    assert (
        b'<progress class="govuk-!-width-full" id="export-progress-bar" max="100" value="42">'
        in html
    )
    assert reverse("evaluation:export_status", args=[job.pk]).encode() in html
    status = evaluator_client.get(reverse("evaluation:export_status", args=[job.pk])).json()
    assert status == status | {"status": "running", "progress": 42, "download_url": None}
    assert (
        evaluator_client.get(reverse("evaluation:export_download", args=[job.pk])).status_code
        == 404
    )


def test_other_evaluators_cannot_see_or_download_a_job(client, evaluator, world):
    job = make_job(evaluator)
    someone = UserFactory(role=Role.EVALUATOR)
    client.force_login(someone)
    for url in urls_for(job)[1:]:
        assert client.get(url).status_code == 404, url
    assert (
        reverse("evaluation:export_detail", args=[job.pk])
        not in client.get(reverse("evaluation:exports")).content.decode()
    )


def test_the_download_link_expires_and_the_file_is_then_deleted(evaluator_client, evaluator, world):
    job = make_job(evaluator)
    stored = job.file_name
    assert export_storage().exists(stored)
    url = reverse("evaluation:export_download", args=[job.pk])
    assert evaluator_client.get(url).status_code == 200
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert evaluator_client.get(url).status_code == 404
    from evaluation.tasks import delete_expired_exports

    assert delete_expired_exports.delay().get() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and job.file_name == ""
    assert not export_storage().exists(stored)
    assert evaluator_client.get(url).status_code == 404
    html = evaluator_client.get(reverse("evaluation:export_detail", args=[job.pk])).content
    assert b"has expired" in html
    assert services.delete_expired_exports() == 0


def test_expiry_follows_the_setting(evaluator, world, settings):
    settings.EVALUATION_EXPORT_EXPIRY_DAYS = 2
    job = make_job(evaluator)
    assert job.expires_at - job.finished_at == timedelta(days=2)


# The task ----------------------------------------------------------------------------


def test_running_the_task_again_builds_nothing_new(evaluator, world):
    from evaluation.tasks import build_export

    job = make_job(evaluator, fmt="wide")
    first = (job.file_name, job.sha256)
    assert build_export.delay(str(job.pk)).get() == "ready"
    job.refresh_from_db()
    assert (job.file_name, job.sha256) == first
    assert ExportAudit.objects.filter(job=job).count() == 1
    assert job.attempts == 1


def test_a_run_that_finishes_second_keeps_the_first_file(evaluator, world, monkeypatch):
    """Two deliveries of the same task running at once: the later one to finish
    throws its file away and writes no second audit row."""
    job = ExportJob.objects.create(
        requester=evaluator,
        format="long",
        key_id="project-a",
        filters=make_request(format="long", key_id="project-a").to_json(),
    )
    real_build = services.build_file
    calls = []

    def build_then_race(*args, **kwargs):
        result = real_build(*args, **kwargs)
        if not calls:
            calls.append(1)
            # Meanwhile another worker builds and finishes the same job.
            ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.QUEUED)
            services.run_export_job(job.pk)
        return result

    monkeypatch.setattr(services, "build_file", build_then_race)
    assert services.run_export_job(job.pk) == ExportJob.Status.READY
    job.refresh_from_db()
    assert ExportAudit.objects.filter(job=job).count() == 1
    assert export_storage().exists(job.file_name)
    files = export_storage().listdir("evaluation-exports")[1]
    assert [name for name in files if name.startswith(str(job.pk))] == [
        job.file_name.split("/")[-1]
    ]


def test_a_failed_build_is_reported_and_leaves_no_file(evaluator, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(services, "build_file", broken)
    job = make_job(evaluator)
    assert job.status == ExportJob.Status.FAILED
    assert job.error == services.FAILED_MESSAGE
    assert "secret detail" not in job.error
    assert not ExportAudit.objects.exists()


def test_a_module_deleted_before_the_task_runs_fails_with_its_reason(
    evaluator, disclosure, monkeypatch
):
    job = ExportJob.objects.create(
        requester=evaluator,
        format="long",
        key_id="project-a",
        filters={"format": "long", "key_id": "project-a", "modules": ["gone"]},
    )
    assert services.run_export_job(job.pk) == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert "Unknown module 'gone'" in job.error


def test_the_status_endpoint_is_json(evaluator_client, evaluator, world):
    job = make_job(evaluator, fmt="codebook")
    response = evaluator_client.get(reverse("evaluation:export_status", args=[job.pk]))
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "codebook" and data["rows"] == job.row_count


@pytest.mark.parametrize(
    "fmt, ending",
    [
        ("long", "-long.csv"),
        ("wide", "-wide.csv"),
        ("codebook", "-codebook.csv"),
        ("xlsx", ".xlsx"),
        ("sav", ".sav"),
        ("dta", ".dta"),
        ("bundle", ".zip"),
    ],
)
def test_downloads_are_named_for_their_key_day_and_format(disclosure, fmt, ending):
    name = make_request(format=fmt, key_id="project-b").file_name()
    assert name.startswith("evaluation-export-project-b-") and name.endswith(ending)
