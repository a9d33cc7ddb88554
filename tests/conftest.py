import io

import pytest
from django.core.management import call_command

from accounts.roles import Role
from content.curriculum import ensure_site_tree, load_curriculum
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: allauth keeps its sign-in rate limits and
    the authenticator codes already used there, and neither should carry over from one
    test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def module_index(db):
    return ensure_site_tree()


@pytest.fixture
def curriculum(db):
    """The starter curriculum, loaded as a trainer would see it."""
    return load_curriculum()


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def coach(db):
    return UserFactory(role=Role.WORK_COACH)


@pytest.fixture
def trainer(db):
    return UserFactory(role=Role.TRAINER)


@pytest.fixture
def coach_client(client, coach):
    client.force_login(coach)
    return client


def pytest_configure(config):
    # Named here so that a run without pytest-xdist (``-p no:xdist``) knows the marker
    # that groups the Redis tests below.
    config.addinivalue_line("markers", "xdist_group(name): tests that share one xdist worker")


def pytest_collection_modifyitems(config, items):
    """Tests that start a Celery worker on the shared Redis run in one process, one
    after another, when the suite is spread over several processes: a worker in
    another process would take their tasks to the wrong test database."""
    for item in items:
        if item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("redis"))


@pytest.fixture
def celery_on_redis():
    """The project's Celery app pointed at the real Redis. Tasks go to a queue of this
    test's own (``send(task)``), which only the worker started here (``worker()``)
    reads, so a worker from another test run never takes them."""
    import uuid
    from types import SimpleNamespace

    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from tests.services import redis_available, redis_url, require

    require(redis_available(), f"Redis is not reachable at {redis_url()}")
    queue = f"coach-academy-test-{uuid.uuid4().hex}"
    old = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=redis_url(), task_always_eager=False)

    def send(task, *args):
        # An explicit connection: the app's own pool may already be bound to the test
        # settings' in-memory broker by an earlier task.
        with app.connection_for_write(redis_url()) as connection:
            task.apply_async(args=args, queue=queue, producer=app.amqp.Producer(connection))

    try:
        yield SimpleNamespace(
            queue=queue,
            send=send,
            worker=lambda: start_worker(
                app, queues=[queue], perform_ping_check=False, pool="solo", loglevel="WARNING"
            ),
        )
    finally:
        app.conf.update(old)
