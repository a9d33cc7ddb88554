"""The Celery app delivers tasks through a real Redis broker to a real worker."""

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from tests.services import redis_available, redis_url, require


@app.task(name="tests.add")
def add(x, y):
    return x + y


@pytest.fixture
def redis_celery():
    require(redis_available(), f"Redis is not reachable at {redis_url()}")
    old = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url(), result_backend=redis_url(), task_always_eager=False)
    try:
        yield app
    finally:
        app.conf.update(old)


@pytest.mark.redis
def test_a_task_runs_on_a_real_worker(redis_celery):
    with start_worker(redis_celery, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        result = add.delay(2, 3)
        assert result.get(timeout=20) == 5


def test_the_app_reads_its_configuration_from_django_settings(settings):
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.main == "coach_academy"
