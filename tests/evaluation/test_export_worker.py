"""The export task, run by a real Celery worker through Redis."""

import time

import pandas as pd
import pytest

from accounts.roles import Role
from evaluation.exports.request import make_request
from evaluation.exports.storage import export_storage
from evaluation.models import ExportAudit, ExportJob, ExportSource
from evaluation.tasks import build_export, delete_expired_exports
from tests.evaluation.conftest import Person, expected_pid
from tests.factories import UserFactory


def test_the_task_is_acknowledged_late_and_rejected_if_the_worker_dies():
    assert build_export.name == "evaluation.build_export"
    assert build_export.acks_late is True
    assert build_export.reject_on_worker_lost is True
    assert delete_expired_exports.name == "evaluation.delete_expired_exports"


def test_expired_files_are_deleted_on_a_schedule(settings):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "evaluation.delete_expired_exports" in schedule


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_export_is_built_by_a_real_worker_on_redis(disclosure, celery_on_redis):
    people = [Person(disclosure).complete() for _ in range(3)]
    evaluator = UserFactory(role=Role.EVALUATOR)
    request = make_request(format="long", key_id="project-b", modules=[disclosure.slug])
    job = ExportJob.objects.create(
        requester=evaluator, format="long", key_id="project-b", filters=request.to_json()
    )
    with celery_on_redis.worker():
        celery_on_redis.send(build_export, str(job.pk))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.2)
    assert job.status == ExportJob.Status.READY, job.error
    audit = ExportAudit.objects.get(job=job)
    assert audit.source == ExportSource.WEB and audit.user == evaluator
    with export_storage().open(job.file_name, "rb") as handle:
        frame = pd.read_csv(handle, dtype=str)
    assert set(frame["pid"]) == {expected_pid(p.user.pk, "project-b") for p in people}
    assert audit.row_count == len(frame)
