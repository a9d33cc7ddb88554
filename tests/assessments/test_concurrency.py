"""Two submissions at the same moment, on PostgreSQL, where requests really run in
parallel (SQLite serialises writers, so the race cannot happen there)."""

import threading

import pytest
from django.db import close_old_connections, connection

from assessments.models import QuestionResponse, QuizAttempt
from assessments.services import issue_token, load_quiz_version, submit_quiz
from content.curriculum import ensure_site_tree
from tests.assessments.builders import make_quiz
from tests.factories import ModulePageFactory, UserFactory


def run_together(n, target):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def setup():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writes are tested on PostgreSQL (the suite's second run)")
    quiz = make_quiz()
    module = ModulePageFactory(parent=ensure_site_tree(), quiz=quiz)
    user = UserFactory()
    version = load_quiz_version(quiz.latest_version.pk)
    answers = {q.pk: [q.choices.all()[0].pk] for q in version.questions.all()}
    return user, module, version, answers


def test_the_same_form_posted_twice_at_once_makes_one_attempt(setup):
    user, module, version, answers = setup
    token = issue_token(user, version)

    def submit():
        return submit_quiz(
            user=user, module=module, timepoint="post", version=version,
            answers=answers, token=token,
        )  # fmt: skip

    results, errors = run_together(4, submit)
    assert not errors, errors
    assert QuizAttempt.objects.count() == 1
    assert QuestionResponse.objects.count() == version.questions.count()
    assert sum(result.created for result in results) == 1
    assert len({result.attempt.pk for result in results}) == 1


def test_two_forms_posted_at_once_get_different_numbers(setup):
    user, module, version, answers = setup

    def submit():
        return submit_quiz(
            user=user, module=module, timepoint="post", version=version,
            answers=answers, token=issue_token(user, version),
        )  # fmt: skip

    results, errors = run_together(3, submit)
    assert not errors, errors
    numbers = sorted(QuizAttempt.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3]
