"""The Celery app delivers tasks through a real Redis broker to a real worker."""

import time
import uuid

import pytest
import redis

from config.celery import app
from tests.services import redis_url


@app.task(name="tests.record")
def record(key, value):
    """Leave a mark in Redis that the test can see: proof the worker ran it."""
    redis.Redis.from_url(redis_url()).set(key, value, ex=60)


def wait_for(client, key, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = client.get(key)
        if value is not None:
            return value
        time.sleep(0.1)
    return None


@pytest.mark.redis
def test_a_task_runs_on_a_real_worker(celery_on_redis):
    client = redis.Redis.from_url(redis_url())
    key = f"coach-academy-test:{uuid.uuid4()}"
    with celery_on_redis.worker():
        celery_on_redis.send(record, key, "done")
        assert wait_for(client, key) == b"done"


def test_the_app_reads_its_configuration_from_django_settings():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.main == "coach_academy"
