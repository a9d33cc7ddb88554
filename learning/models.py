"""Enrolments: the journey that joins a work coach to a module.

An ``Enrolment`` records which step a coach has reached; ``learning.journey`` holds
the order of the steps and ``learning.services`` makes every change.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


class Step(models.TextChoices):
    PRIVACY = "privacy", "Privacy notice"
    PRE_SURVEY = "pre_survey", "Confidence survey before the module"
    PRE_QUIZ = "pre_quiz", "Knowledge quiz before the module"
    LESSONS = "lessons", "Lessons"
    POST_QUIZ = "post_quiz", "Knowledge quiz after the module"
    POST_SURVEY = "post_survey", "Confidence survey after the module"
    COMPLETED = "completed", "Completed"
    FOLLOW_UP_DUE = "follow_up_due", "Follow-up survey due"
    FOLLOWED_UP = "followed_up", "Followed up"


def new_certificate_code() -> str:
    # 12 characters from an unambiguous alphabet: easy to read out or type.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Enrolment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    module = models.ForeignKey(
        "content.ModulePage", on_delete=models.PROTECT, related_name="enrolments"
    )
    step = models.CharField(max_length=20, choices=Step.choices, default=Step.PRIVACY)
    started_at = models.DateTimeField()
    lessons_completed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    passed = models.BooleanField(
        null=True, blank=True, help_text="Whether the post-module quiz was passed."
    )
    reaction_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How useful the module was, 1 to 5."
    )
    certificate_code = models.CharField(max_length=12, unique=True, null=True, blank=True)
    follow_up_due_on = models.DateField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "module"]
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="one_enrolment_per_module"),
            models.CheckConstraint(
                condition=models.Q(reaction_rating__isnull=True)
                | models.Q(reaction_rating__gte=1, reaction_rating__lte=5),
                name="reaction_rating_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["step", "follow_up_due_on"])]

    def __str__(self):
        return f"{self.user} – {self.module}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey("content.LessonPage", on_delete=models.CASCADE, related_name="+")
    first_viewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="one_progress_per_lesson")
        ]


class EvaluationChoice(models.Model):
    """A coach's choice about evaluation use of their answers: an append-only log.
    The latest row is the choice in force; no rows means not yet asked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluation_choices"
    )
    opted_out = models.BooleanField()
    chosen_at = models.DateTimeField()

    class Meta:
        ordering = ["user", "-chosen_at", "-pk"]
        get_latest_by = ["chosen_at", "pk"]

    def __str__(self):
        return f"{self.user}: {'opted out' if self.opted_out else 'taking part'}"
