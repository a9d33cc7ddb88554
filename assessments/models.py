"""Quizzes and confidence surveys.

Trainers author ``Quiz`` and ``ConfidenceSurvey`` as Wagtail snippets (drafts,
revisions, scheduled publishing, workflow). Publishing freezes a version into rows
(``QuizVersion`` → ``Question`` → ``Choice``; ``SurveyVersion`` → ``SurveyItem``),
keyed by each block's stable id. Answers point at those rows, and a version that has
answers can never change or be deleted, so before/after comparisons stay valid.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import StreamField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from .blocks import QuizQuestionsBlock, SurveyItemsBlock
from .scales import SCALE_CHOICES, SCALES


class Timepoint(models.TextChoices):
    PRE = "pre", "Before the module"
    POST = "post", "After the module"
    THEN = "then", "Thinking back (asked after the module)"
    FOLLOW_UP = "follow_up", "Follow-up"


#: What a confidence survey's statements complete unless its author says otherwise.
DEFAULT_STEM = "How confident do you feel about…"


class ImmutableVersionError(Exception):
    """Raised on any attempt to change or delete a version that has answers."""


# Authoring -----------------------------------------------------------------------


class Instrument(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    models.Model,
):
    title = models.CharField(max_length=200)
    key = models.SlugField(
        max_length=100,
        unique=True,
        help_text="A short unique name used in exports: lower-case letters, numbers and hyphens.",
    )
    introduction = models.TextField(blank=True, help_text="Shown above the questions.")

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("introduction"),
        index.FilterField("live"),
    ]

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @staticmethod
    def key_help(example: str) -> str:
        return (
            "A short unique name used in exports: lower-case letters, numbers and "
            f"hyphens, e.g. '{example}'."
        )

    @property
    def latest_version(self):
        return self.versions.order_by("-number").first()

    @property
    def is_ready(self) -> bool:
        """Live, with a published version a coach can be given."""
        return self.live and self.versions.exists()

    @property
    def status_label(self) -> str:
        """How choosers and lists describe it to a trainer."""
        if self.live:
            return "Published"
        if self.first_published_at is None:
            return "Draft – not yet published"
        return "Unpublished – not live"

    @property
    def chooser_title(self) -> str:
        return self.title if self.live else f"{self.title} ({self.status_label})"


class Quiz(Instrument):
    questions = StreamField(QuizQuestionsBlock())

    panels = [
        HelpPanel(template="assessments/panels/versions.html", heading="Versions"),
        FieldPanel("title"),
        FieldPanel("key", help_text=Instrument.key_help("disclosure-quiz")),
        FieldPanel("introduction"),
        FieldPanel("questions"),
    ]
    search_fields = Instrument.search_fields + [index.SearchField("questions")]

    class Meta:
        verbose_name = "quiz"
        verbose_name_plural = "quizzes"
        ordering = ["title"]

    def get_preview_template(self, request, mode_name):
        return "assessments/previews/quiz.html"


class ConfidenceSurvey(Instrument):
    stem = models.CharField(
        "Question",
        max_length=200,
        default=DEFAULT_STEM,
        blank=True,
        help_text="The start of the question that every statement completes, shown to "
        "coaches above the statements. Leave it empty only if every statement is a whole "
        "question or sentence.",
    )
    scale = models.CharField(max_length=20, choices=SCALE_CHOICES, default="confidence_5")
    then_test_wording = models.TextField(
        default="Thinking back to before this module, how confident were you about each of these?",
        help_text="Asks about the same statements after the module, looking back.",
    )
    items = StreamField(SurveyItemsBlock())

    panels = [
        HelpPanel(template="assessments/panels/versions.html", heading="Versions"),
        FieldPanel("title"),
        FieldPanel("key", help_text=Instrument.key_help("disclosure-confidence")),
        FieldPanel("introduction"),
        FieldPanel("stem"),
        FieldPanel("scale"),
        FieldPanel("then_test_wording"),
        FieldPanel("items"),
    ]
    search_fields = Instrument.search_fields + [index.SearchField("items")]

    class Meta:
        verbose_name = "confidence survey"
        ordering = ["title"]

    def get_preview_template(self, request, mode_name):
        return "assessments/previews/survey.html"


# Frozen versions -----------------------------------------------------------------


class FrozenQuerySet(models.QuerySet):
    def delete(self):
        for obj in self:
            obj.guard()
        return super().delete()

    def update(self, **kwargs):
        for obj in self:
            obj.guard()
        return super().update(**kwargs)


class FrozenModel(models.Model):
    """A row that must not change once anyone has answered against it."""

    objects = FrozenQuerySet.as_manager()
    #: The reverse relation that holds this row's answers.
    answers_relation = ""

    class Meta:
        abstract = True

    def has_answers(self) -> bool:
        return getattr(self, self.answers_relation).exists()

    def guard(self):
        if self.pk and self.has_answers():
            raise ImmutableVersionError(
                f"{self._meta.verbose_name} {self} has answers and cannot be changed or deleted."
            )

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            self.guard()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.guard()
        return super().delete(*args, **kwargs)


class QuizVersion(FrozenModel):
    answers_relation = "attempts"
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["quiz", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "number"], name="unique_quiz_version_number")
        ]

    def __str__(self):
        return f"{self.title} (version {self.number})"


class Question(FrozenModel):
    answers_relation = "responses"

    class Kind(models.TextChoices):
        SCENARIO = "scenario", "Scenario"
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        TRUE_FALSE = "true_false", "True or false"

    version = models.ForeignKey(QuizVersion, on_delete=models.PROTECT, related_name="questions")
    block_id = models.CharField(max_length=64, help_text="The authoring block's stable id.")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    case = models.TextField(blank=True)
    text = models.TextField()
    explanation = models.TextField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "block_id"], name="unique_question_block"),
            models.UniqueConstraint(
                fields=["version", "position"], name="unique_question_position"
            ),
        ]

    def __str__(self):
        return self.text[:80]

    @property
    def allows_many(self) -> bool:
        return self.kind == self.Kind.MULTIPLE_CHOICE


class Choice(FrozenModel):
    answers_relation = "selections"
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="choices")
    block_id = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    is_correct = models.BooleanField()
    feedback = models.TextField()

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "block_id"], name="unique_choice_block"),
        ]

    def __str__(self):
        return self.text[:80]


class SurveyVersion(FrozenModel):
    answers_relation = "responses"
    survey = models.ForeignKey(ConfidenceSurvey, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    stem = models.CharField(max_length=200, default=DEFAULT_STEM, blank=True)
    then_test_wording = models.TextField()
    scale_key = models.CharField(max_length=20, choices=SCALE_CHOICES)
    scale_min = models.SmallIntegerField()
    scale_max = models.SmallIntegerField()
    scale_labels = models.JSONField(help_text="Value → label, as published.")
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "number"], name="unique_survey_version_number"
            ),
            models.CheckConstraint(
                condition=models.Q(scale_min__lt=models.F("scale_max")), name="survey_scale_order"
            ),
        ]

    def __str__(self):
        return f"{self.title} (version {self.number})"

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))

    def label_for(self, value: int) -> str:
        return self.scale_labels.get(str(value), str(value))

    @property
    def scale_options(self) -> list[tuple[int, str]]:
        return [(value, self.label_for(value)) for value in self.scale_values]

    @property
    def scale(self):
        return SCALES.get(self.scale_key)


class SurveyItem(FrozenModel):
    answers_relation = "answers"
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="items")
    block_id = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()
    statement = models.TextField()
    competency = models.CharField(max_length=60, blank=True)
    reverse_coded = models.BooleanField(default=False)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "block_id"], name="unique_item_block"),
            models.UniqueConstraint(fields=["version", "position"], name="unique_item_position"),
        ]

    def __str__(self):
        return self.statement[:80]


# Answers -------------------------------------------------------------------------


class Submission(models.Model):
    """What every stored submission shares: who, where, when, and the token of the
    rendered form, which makes a double post or a replay store once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The module page the answers were given in.",
    )
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    token = models.UUIDField(unique=True, editable=False)
    submitted_at = models.DateTimeField()

    class Meta:
        abstract = True


class QuizAttempt(Submission):
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    version = models.ForeignKey(QuizVersion, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(help_text="1 for the first attempt, and so on.")
    score = models.PositiveSmallIntegerField(help_text="Questions answered correctly.")
    max_score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["user", "module", "timepoint", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "quiz", "timepoint", "number"],
                name="unique_quiz_attempt_number",
            ),
            models.CheckConstraint(
                condition=models.Q(timepoint__in=["pre", "post", "follow_up"]),
                name="quiz_attempt_timepoint",
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=models.F("max_score")), name="quiz_score_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.quiz} {self.timepoint} attempt {self.number}"

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0


class QuestionResponse(models.Model):
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    is_correct = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="unique_question_response")
        ]


class ChoiceSelection(models.Model):
    response = models.ForeignKey(
        QuestionResponse, on_delete=models.CASCADE, related_name="selections"
    )
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="selections")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "choice"], name="unique_choice_selection")
        ]


class SurveyResponse(Submission):
    survey = models.ForeignKey(ConfidenceSurvey, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")

    class Meta:
        ordering = ["user", "module", "timepoint"]
        constraints = [
            # One baseline, one post and one follow-up per person, module and survey.
            models.UniqueConstraint(
                fields=["user", "module", "survey", "timepoint"],
                name="unique_survey_response_per_timepoint",
            ),
            models.CheckConstraint(
                condition=models.Q(timepoint__in=["pre", "post", "follow_up"]),
                name="survey_response_timepoint",
            ),
        ]

    def __str__(self):
        return f"{self.survey} {self.timepoint}"


class ItemAnswer(models.Model):
    """One answer to one statement. Then-test answers are given with the post survey
    and carry the timepoint ``then``."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SurveyItem, on_delete=models.PROTECT, related_name="answers")
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    value = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "item", "timepoint"], name="unique_item_answer"
            ),
        ]
