import io

import pytest
from django.core.management import call_command

from accounts.roles import Role
from content.curriculum import ensure_site_tree, load_curriculum
from tests.factories import UserFactory


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
