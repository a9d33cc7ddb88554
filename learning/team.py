"""The team leader's view: progress of the work coaches in their own office.

``office_progress`` builds the whole page in a fixed number of queries (modules,
coaches, enrolments) and returns plain dataclasses; the template only formats them.
It only reads: a follow-up whose day has come is shown as due without being moved on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import Role
from content.models import ModulePage

from .journey import DONE
from .models import Enrolment, Step


@dataclass
class CoachRow:
    name: str
    status: str
    tag_colour: str
    status_date: date | None = None
    quiz_not_passed: bool = False
    started_on: date | None = None
    done: bool = False


@dataclass
class ModuleProgress:
    module: ModulePage
    rows: list[CoachRow] = field(default_factory=list)

    @property
    def coaches(self) -> int:
        return len(self.rows)

    @property
    def completed(self) -> int:
        return sum(1 for row in self.rows if row.done)


def _local_date(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def _row(name: str, enrolment: Enrolment | None, today: date) -> CoachRow:
    if enrolment is None:
        return CoachRow(name, "Not started", "grey")
    step = Step(enrolment.step)
    started_on = _local_date(enrolment.started_at)
    if step not in DONE:
        return CoachRow(name, f"In progress: {step.label}", "blue", started_on=started_on)
    not_passed = enrolment.passed is False
    follow_up_due = step == Step.FOLLOW_UP_DUE or (
        step == Step.COMPLETED
        and enrolment.follow_up_due_on is not None
        and enrolment.follow_up_due_on <= today
    )
    if step == Step.FOLLOWED_UP:
        status, colour, when = "Followed up", "green", _local_date(enrolment.followed_up_at)
    elif follow_up_due:
        status, colour, when = "Follow-up due", "orange", enrolment.follow_up_due_on
    else:
        status, colour, when = "Completed", "green", _local_date(enrolment.completed_at)
    return CoachRow(name, status, colour, when, not_passed, started_on, done=True)


def office_progress(office, today: date | None = None) -> list[ModuleProgress]:
    """Per live module, one row per active work coach in ``office``, in a fixed number
    of queries however many coaches there are."""
    today = today or timezone.localdate()
    modules = list(ModulePage.objects.live().public().order_by("path"))
    coaches = list(
        get_user_model()
        .objects.filter(office=office, is_active=True, groups__name=Role.WORK_COACH.value)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )
    enrolments = {
        (e.user_id, e.module_id): e
        for e in Enrolment.objects.filter(user__in=[c.pk for c in coaches], module__in=modules)
    }
    names = [(coach.pk, coach.get_full_name() or coach.email) for coach in coaches]
    return [
        ModuleProgress(
            module, [_row(name, enrolments.get((pk, module.pk)), today) for pk, name in names]
        )
        for module in modules
    ]


@login_required
@permission_required("accounts.view_team_progress", raise_exception=True)
def team_progress(request):
    office = request.user.office
    modules = office_progress(office) if office is not None else []
    return render(request, "learning/team.html", {"office": office, "modules": modules})
