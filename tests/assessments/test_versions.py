"""Publishing freezes versions; answered versions never change."""

import pytest

from assessments.models import (
    Choice,
    ImmutableVersionError,
    Question,
    QuizVersion,
    SurveyVersion,
)
from assessments.services import issue_token, publish_version, submit_quiz
from tests.assessments.builders import make_quiz, make_survey, single, survey_item


@pytest.mark.django_db
class TestPublishing:
    def test_publishing_freezes_version_one(self, quiz):
        version = quiz.latest_version
        assert version.number == 1
        assert version.questions.count() == 4
        assert version.published_at is not None
        first = quiz.questions[0]
        question = version.questions.get(position=1)
        assert question.block_id == str(first.id)
        assert question.text == first.value["question"]
        assert [c.block_id for c in question.choices.all()] == [
            str(item.id) for item in first.value["options"].bound_blocks
        ]

    def test_publishing_again_without_changes_makes_no_new_version(self, quiz):
        quiz.save_revision().publish()
        assert quiz.versions.count() == 1

    def test_editing_and_republishing_makes_version_two_beside_version_one(self, quiz):
        v1 = quiz.latest_version
        v1_texts = list(Question.objects.filter(version=v1).values_list("text", flat=True))
        quiz = quiz.get_latest_revision_as_object()
        quiz.questions[0].value["question"] = "A clearer question?"
        quiz.save_revision().publish()
        assert list(quiz.versions.values_list("number", flat=True)) == [1, 2]
        v2 = quiz.latest_version
        assert v2.questions.get(position=1).text == "A clearer question?"
        assert list(Question.objects.filter(version=v1).values_list("text", flat=True)) == v1_texts
        # Unchanged questions keep their block id across versions, so they pair.
        assert v1.questions.get(position=2).block_id == v2.questions.get(position=2).block_id

    def test_a_draft_does_not_make_a_version(self, db):
        quiz = make_quiz(publish=False)
        quiz.save_revision()
        assert quiz.versions.count() == 0

    def test_survey_version_copies_the_scale(self, db):
        survey = make_survey(
            items=[survey_item("One"), survey_item("Two", reverse=True)], scale="zero_to_ten"
        )
        version = survey.latest_version
        assert (version.scale_min, version.scale_max) == (0, 10)
        assert version.label_for(0) == "0 – Not at all confident"
        assert [i.reverse_coded for i in version.items.all()] == [False, True]

    def test_publish_version_is_the_service_the_signal_calls(self, quiz):
        assert publish_version(quiz) == quiz.latest_version


@pytest.mark.django_db
class TestImmutability:
    @pytest.fixture
    def answered(self, quiz, module, coach):
        from assessments.services import load_quiz_version

        version = load_quiz_version(quiz.latest_version.pk)
        answers = {q.pk: [q.choices.all()[0].pk] for q in version.questions.all()}
        submit_quiz(
            user=coach, module=module, timepoint="pre", version=version,
            answers=answers, token=issue_token(coach, version),
        )  # fmt: skip
        return version

    def test_an_answered_version_cannot_change(self, answered):
        answered.title = "Changed"
        with pytest.raises(ImmutableVersionError):
            answered.save()
        question = answered.questions.all()[0]
        question.text = "Changed"
        with pytest.raises(ImmutableVersionError):
            question.save()
        choice = question.choices.all()[0]
        choice.text = "Changed"
        with pytest.raises(ImmutableVersionError):
            choice.save()

    def test_an_answered_version_cannot_be_deleted(self, answered):
        with pytest.raises(ImmutableVersionError):
            answered.delete()
        with pytest.raises(ImmutableVersionError):
            QuizVersion.objects.filter(pk=answered.pk).delete()
        with pytest.raises(ImmutableVersionError):
            Choice.objects.filter(question__version=answered).update(text="x")

    def test_an_unanswered_version_may_change(self, quiz):
        version = quiz.latest_version
        version.title = "Fixed a typo"
        version.save()

    def test_survey_versions_are_guarded_too(self, survey, module, coach):
        from assessments.services import load_survey_version, submit_survey

        version = load_survey_version(survey.latest_version.pk)
        submit_survey(
            user=coach, module=module, timepoint="pre", version=version,
            values={i.pk: 3 for i in version.items.all()}, token=issue_token(coach, version),
        )  # fmt: skip
        with pytest.raises(ImmutableVersionError):
            SurveyVersion.objects.filter(pk=version.pk).delete()
        item = version.items.all()[0]
        item.statement = "Changed"
        with pytest.raises(ImmutableVersionError):
            item.save()


@pytest.mark.django_db
def test_question_blocks_need_the_right_number_of_correct_options():
    from django.core.exceptions import ValidationError

    from assessments.blocks import MultipleChoiceQuestionBlock, SingleChoiceQuestionBlock

    two_correct = single()["value"]
    two_correct["options"][1]["value"]["correct"] = True
    block = SingleChoiceQuestionBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python(two_correct))
    none_correct = single()["value"]
    none_correct["options"][0]["value"]["correct"] = False
    with pytest.raises(ValidationError):
        block.clean(block.to_python(none_correct))
    many = MultipleChoiceQuestionBlock()
    value = many.to_python({**none_correct})
    with pytest.raises(ValidationError):
        many.clean(value)
    assert block.clean(block.to_python(single()["value"]))


@pytest.mark.django_db
def test_scheduled_publishing_freezes_a_version_when_it_goes_live():
    from datetime import timedelta

    from django.utils import timezone

    from content.tasks import publish_scheduled

    quiz = make_quiz(publish=False)
    quiz.go_live_at = timezone.now() - timedelta(minutes=1)
    revision = quiz.save_revision(approved_go_live_at=quiz.go_live_at)
    assert quiz.versions.count() == 0
    publish_scheduled.delay()  # runs in-process under the test settings
    quiz.refresh_from_db()
    assert quiz.live
    assert quiz.latest_version.revision_id == revision.pk
