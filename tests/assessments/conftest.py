import pytest

from assessments.services import load_quiz_version, load_survey_version
from tests.assessments.builders import make_quiz, make_survey
from tests.factories import ModulePageFactory


@pytest.fixture
def quiz(db):
    return make_quiz()


@pytest.fixture
def survey(db):
    return make_survey()


@pytest.fixture
def module(module_index, quiz, survey):
    return ModulePageFactory(
        parent=module_index, slug="test-module", quiz=quiz, confidence_survey=survey
    )


@pytest.fixture
def quiz_version(quiz):
    return load_quiz_version(quiz.latest_version.pk)


@pytest.fixture
def survey_version(survey):
    return load_survey_version(survey.latest_version.pk)


@pytest.fixture
def at_step(db):
    """Put a person's enrolment in a module at a journey step: the answering pages
    belong to the journey, which sends any other step elsewhere."""
    from django.utils import timezone

    from learning.journey import is_before
    from learning.models import Enrolment, Step

    def move(user, module, step):
        now = timezone.now()
        # Past the lessons, the journey has recorded when they were finished.
        finished = now if is_before(Step.LESSONS, step) else None
        Enrolment.objects.update_or_create(
            user=user,
            module=module,
            defaults={"step": step, "started_at": now, "lessons_completed_at": finished},
        )

    return move
