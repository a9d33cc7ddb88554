"""StreamField blocks in which trainers write quiz questions and survey items.

Each block's stable id becomes the key of the frozen row when a version is
published, so an answer always points at the exact wording it was given to.
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=500)
    correct = blocks.BooleanBlock(required=False, help_text="Tick if this option is correct.")
    feedback = blocks.TextBlock(
        help_text="Shown after the post-module quiz: why it is right or not."
    )

    class Meta:
        icon = "radio-full"
        label = "Option"


def _options_error(message: str) -> StructBlockValidationError:
    return StructBlockValidationError(block_errors={"options": ValidationError(message)})


class ChoiceQuestionBase(blocks.StructBlock):
    """Shared checks: enough options, and the right number of correct ones."""

    multiple = False

    def clean(self, value):
        value = super().clean(value)
        options = list(value["options"])
        if len(options) < 2:
            raise _options_error("Give at least two options.")
        correct = sum(1 for option in options if option["correct"])
        if self.multiple and correct < 1:
            raise _options_error("Mark at least one option as correct.")
        if not self.multiple and correct != 1:
            raise _options_error("Mark exactly one option as correct.")
        return value


class SingleChoiceQuestionBlock(ChoiceQuestionBase):
    question = blocks.CharBlock(max_length=500)
    options = blocks.ListBlock(OptionBlock(), min_num=2, max_num=8)
    explanation = blocks.TextBlock(help_text="Why the correct answer is correct.")

    class Meta:
        icon = "radio-full"
        label = "Single choice"
        template = "assessments/blocks/question_preview.html"
        description = "A question with one correct option."


class MultipleChoiceQuestionBlock(ChoiceQuestionBase):
    multiple = True
    question = blocks.CharBlock(max_length=500, help_text="Say 'Select all that apply.'")
    options = blocks.ListBlock(OptionBlock(), min_num=2, max_num=8)
    explanation = blocks.TextBlock(help_text="Why the correct options are correct.")

    class Meta:
        icon = "tasks"
        label = "Multiple choice"
        template = "assessments/blocks/question_preview.html"
        description = "A question where every correct option must be chosen."


class ScenarioQuestionBlock(ChoiceQuestionBase):
    case = blocks.TextBlock(help_text="A short case from a Jobcentre.")
    question = blocks.CharBlock(max_length=500)
    options = blocks.ListBlock(OptionBlock(), min_num=2, max_num=8)
    explanation = blocks.TextBlock(help_text="Why the correct answer is correct.")

    class Meta:
        icon = "group"
        label = "Scenario"
        template = "assessments/blocks/question_preview.html"
        description = "A short case, then a question with one correct option."


class TrueFalseQuestionBlock(blocks.StructBlock):
    statement = blocks.CharBlock(max_length=500)
    answer = blocks.BooleanBlock(required=False, help_text="Tick if the statement is true.")
    feedback_true = blocks.TextBlock(
        label="Feedback if they answer ‘True’",
        help_text="Shown after the post-module quiz to someone who answered ‘True’.",
    )
    feedback_false = blocks.TextBlock(
        label="Feedback if they answer ‘False’",
        help_text="Shown after the post-module quiz to someone who answered ‘False’.",
    )
    explanation = blocks.TextBlock(help_text="Why the statement is true or false.")

    class Meta:
        icon = "check"
        label = "True or false"
        template = "assessments/blocks/question_preview.html"
        description = "A statement that is either true or false."


class CompleteOnSave:
    """A quiz or survey is saved, even as a draft, only when it is complete: at least
    one question or statement, and every required part filled in. Wagtail would
    otherwise defer those checks for drafts (and for the editor's autosave), and an
    empty draft would be left behind when publishing failed."""

    empty_message = ""

    def clean_deferred(self, value):
        return self.clean(value)

    def clean(self, value):
        if not len(value):
            raise StreamBlockValidationError(
                non_block_errors=ErrorList([ValidationError(self.empty_message)])
            )
        return super().clean(value)


class QuizQuestionsBlock(CompleteOnSave, blocks.StreamBlock):
    empty_message = "Add at least one question"

    scenario = ScenarioQuestionBlock()
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    true_false = TrueFalseQuestionBlock()

    class Meta:
        min_num = 1


class SurveyItemBlock(blocks.StructBlock):
    statement = blocks.CharBlock(
        max_length=300,
        help_text="Completes the survey's question: 'Asking about drug use' completes "
        "'How confident do you feel about…'.",
    )
    competency = blocks.CharBlock(
        required=False,
        max_length=60,
        help_text="Optional tag. Items with the same tag are averaged into a scale score.",
    )
    reverse_coded = blocks.BooleanBlock(
        required=False, help_text="Tick if agreeing means less confidence."
    )

    class Meta:
        icon = "list-ul"
        label = "Statement"
        template = "assessments/blocks/item_preview.html"
        description = "One statement answered on the survey's scale."


class SurveyItemsBlock(CompleteOnSave, blocks.StreamBlock):
    empty_message = "Add at least one statement"

    item = SurveyItemBlock()

    class Meta:
        min_num = 1
