"""The page tree: Home → Module index → Module → Lesson.

Page models hold presentation logic only (what to show, in what order); anything that
writes lives in a service or a management command.
"""

import logging

from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .admin_forms import ModulePageForm
from .blocks import RICH_TEXT_FEATURES, LessonStreamBlock

logger = logging.getLogger(__name__)

NO_LESSONS = (
    "This module has no published lessons. Save the module as a draft, add its lessons "
    "under it and publish them, then publish the module."
)


class ModuleNotReady(PermissionDenied):
    """Publishing was refused: a coach could not finish the module as it stands."""

    def __init__(self, module, problems: list[tuple[str | None, str]]):
        self.problems = problems
        super().__init__(
            f"‘{module.title}’ cannot be published: " + " ".join(m for _, m in problems)
        )


class CurriculumImport(models.Model):
    """Which curriculum file a page, quiz or survey was loaded from, and the revision
    the loader published. If the object's latest revision is another one, a trainer
    has edited it in Wagtail since, and ``load_curriculum`` leaves it alone."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveIntegerField()
    source = models.CharField(max_length=255, help_text="Path under content/curriculum/.")
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file(s) when loaded.")
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "curriculum import"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="unique_curriculum_import"
            )
        ]

    def __str__(self):
        return self.source

    @classmethod
    def for_object(cls, obj) -> "CurriculumImport | None":
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        return cls.objects.filter(content_type=content_type, object_id=obj.pk).first()

    @classmethod
    def record(cls, obj, *, source: str, checksum: str, revision) -> "CurriculumImport":
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        record, _ = cls.objects.update_or_create(
            content_type=content_type,
            object_id=obj.pk,
            defaults={"source": source, "checksum": checksum, "revision": revision},
        )
        return record

    def edited_since(self, obj) -> bool:
        return obj.latest_revision_id != self.revision_id


class SignInRequiredMixin:
    """Modules and lessons are for signed-in staff. Previews in the admin are
    unaffected: they do not go through ``serve``."""

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)


class HomePage(Page):
    introduction = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.ModuleIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        index_page = ModuleIndexPage.objects.child_of(self).live().first()
        context["module_index"] = index_page
        context["modules"] = index_page.modules() if index_page else ModulePage.objects.none()
        return context


class ModuleIndexPage(Page):
    introduction = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]

    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.ModulePage"]
    max_count = 1

    class Meta:
        verbose_name = "module index page"

    def modules(self):
        return ModulePage.objects.child_of(self).live().public().specific().order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = self.modules()
        return context


class ModulePage(SignInRequiredMixin, Page):
    summary = models.TextField(
        max_length=400, help_text="One or two sentences, shown in the list of modules."
    )
    introduction = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    learning_outcomes = StreamField(
        [("outcome", blocks.CharBlock(max_length=255, icon="tick", label="Outcome"))],
        blank=True,
        help_text="What a work coach will be able to do after this module.",
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        default=30, help_text="Roughly how long the whole module takes, in minutes."
    )
    audience = models.CharField(max_length=255, blank=True, help_text="Who the module is for.")
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uses_quiz = models.BooleanField(
        "Coaches take a knowledge quiz",
        default=True,
        help_text="Untick for a module without a quiz: there is then no quiz before or "
        "after the lessons, and no pass mark.",
    )
    uses_survey = models.BooleanField(
        "Coaches answer a confidence survey",
        default=True,
        help_text="Untick for a module without a confidence survey: there is then no "
        "survey before or after the lessons and no follow-up.",
    )
    quiz = models.ForeignKey(
        "assessments.Quiz",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="modules",
        help_text="The knowledge quiz taken before and after the module.",
    )
    confidence_survey = models.ForeignKey(
        "assessments.ConfidenceSurvey",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="modules",
        help_text="The confidence survey taken before, after and at follow-up.",
    )
    pass_mark_percent = models.PositiveSmallIntegerField(
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="The post-module quiz score needed to pass, in per cent.",
    )
    post_quiz_attempts = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="How many times a coach may take the post-module quiz.",
    )
    follow_up_days = models.PositiveSmallIntegerField(
        default=56,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days after completion when the follow-up survey falls due.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("estimated_minutes"), FieldPanel("audience")], heading="At a glance"
        ),
        FieldPanel("learning_outcomes"),
        FieldPanel("introduction"),
        FieldPanel("image"),
        MultiFieldPanel(
            [
                FieldPanel("uses_quiz"),
                FieldPanel("quiz"),
                FieldPanel("uses_survey"),
                FieldPanel("confidence_survey"),
                FieldPanel("pass_mark_percent"),
                FieldPanel("post_quiz_attempts"),
                FieldPanel("follow_up_days"),
            ],
            heading="Measurement",
        ),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("introduction"),
        index.SearchField("learning_outcomes"),
        index.SearchField("audience"),
    ]

    parent_page_types = ["content.ModuleIndexPage"]
    subpage_types = ["content.LessonPage"]
    base_form_class = ModulePageForm

    class Meta:
        verbose_name = "module page"

    def lessons(self):
        if self.pk is None:
            return LessonPage.objects.none()
        return LessonPage.objects.child_of(self).live().order_by("path")

    @property
    def has_quiz(self) -> bool:
        """Whether coaches take the quiz steps (the journey skips them otherwise)."""
        return self.uses_quiz and self.quiz_id is not None

    @property
    def has_survey(self) -> bool:
        """Whether coaches take the survey steps, the then-test and the follow-up."""
        return self.uses_survey and self.confidence_survey_id is not None

    def clean(self):
        super().clean()
        errors = {}
        if not self.uses_quiz and self.quiz_id is not None:
            errors["quiz"] = "Remove the quiz, or tick ‘Coaches take a knowledge quiz’."
        if not self.uses_survey and self.confidence_survey_id is not None:
            errors["confidence_survey"] = (
                "Remove the survey, or tick ‘Coaches answer a confidence survey’."
            )
        if errors:
            raise ValidationError(errors)

    def finish_problems(self) -> list[tuple[str | None, str]]:
        """Why a coach could not finish this module as it stands, as (field, message)
        pairs for the trainer; empty when they can. The one definition of "can this
        module be finished", used by publishing, the admin hooks, the start page and
        My learning."""
        problems: list[tuple[str | None, str]] = []
        if not self.lessons().exists():
            problems.append((None, NO_LESSONS))
        for uses, field, noun, untick in (
            (self.uses_quiz, "quiz", "quiz", "Coaches take a knowledge quiz"),
            (
                self.uses_survey,
                "confidence_survey",
                "confidence survey",
                "Coaches answer a confidence survey",
            ),
        ):
            if not uses:
                continue
            instrument = getattr(self, field)
            if instrument is None:
                problems.append((field, f"Choose the module’s {noun}, or untick ‘{untick}’."))
            elif not instrument.is_ready:
                problems.append(
                    (
                        field,
                        f"The {noun} ‘{instrument.title}’ is not published. Publish it "
                        f"under Assessments first, or choose a published {noun}.",
                    )
                )
        return problems

    def can_be_finished(self) -> bool:
        return not self.finish_problems()

    def publishing_problems(self) -> list[tuple[str | None, str]]:
        """Everything that stops this content going live: the model's own checks and
        whatever would stop a coach finishing it."""
        problems: list[tuple[str | None, str]] = []
        try:
            self.clean()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                problems += [(field, message) for message in messages]
        return problems + self.finish_problems()

    def publish(self, revision, *args, **kwargs):
        """Every route to going live (the editor, bulk actions, workflow approval,
        scheduled publishing) ends here, so an unfinishable module never goes live."""
        problems = revision.as_object().publishing_problems()
        if problems:
            if kwargs.get("log_action") == "wagtail.publish.scheduled":
                # Scheduled publishing runs unattended: leave this module as it is, stop
                # retrying, and let the others due now go live.
                logger.warning("Scheduled publishing of module %s refused: %s", self.pk, problems)
                type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=None)
                return None
            raise ModuleNotReady(self, problems)
        return super().publish(revision, *args, **kwargs)

    @property
    def outcomes(self) -> list[str]:
        return [block.value for block in self.learning_outcomes]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["lessons"] = self.lessons()
        return context

    def live_lessons_without(self, lesson) -> int:
        """How many live lessons the module keeps if ``lesson`` stops being one."""
        return self.lessons().exclude(pk=lesson.pk).count()


class LessonPage(SignInRequiredMixin, Page):
    summary = models.TextField(max_length=400, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(default=10)
    body = StreamField(LessonStreamBlock())

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    parent_page_types = ["content.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "lesson page"

    @cached_property
    def module(self) -> "ModulePage":
        return self.get_parent().specific

    @cached_property
    def module_lessons(self) -> list["LessonPage"]:
        """The live lessons of this lesson's module, in order (one query)."""
        return list(LessonPage.objects.child_of(self.module).live().order_by("path"))

    @cached_property
    def _position(self) -> int | None:
        return next(
            (i for i, lesson in enumerate(self.module_lessons) if lesson.pk == self.pk), None
        )

    @property
    def lesson_number(self) -> int | None:
        return None if self._position is None else self._position + 1

    @property
    def previous_lesson(self) -> "LessonPage | None":
        if not self._position:
            return None
        return self.module_lessons[self._position - 1]

    @property
    def next_lesson(self) -> "LessonPage | None":
        if self._position is None or self._position + 1 >= len(self.module_lessons):
            return None
        return self.module_lessons[self._position + 1]
