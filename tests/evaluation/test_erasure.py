"""Erasing people's identity changes no evaluation figure and no export pseudonym, and
leaves no email address of theirs in the export audit."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.retention import apply_retention, erase_user
from accounts.roles import Role
from evaluation.cohort import seed_cohort
from evaluation.exports.request import make_request
from evaluation.exports.services import export_to_path
from evaluation.models import ExportAudit
from learning.models import Enrolment
from tests.evaluation.conftest import Person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def report(module, by=None):
    out = io.StringIO()
    args = ["--module", module.slug, "--format", "json"]
    if by:
        args += ["--by", by]
    call_command("evaluation_report", *args, stdout=out)
    return json.loads(out.getvalue())


def figures(module):
    return {by: report(module, by) for by in (None, "region", "office", "role")}


def test_erasing_people_with_answers_changes_no_figure_and_no_pid(disclosure, tmp_path):
    seed_cohort(60, seed=11)
    named = [Person(disclosure).complete(value=v) for v in (2, 3, 4, 5)]
    evaluator = UserFactory(role=Role.EVALUATOR, email="ellis.evaluator@example.com")
    request = make_request(format="long", key_id="project-a")
    export_to_path(request, tmp_path / "before.csv", actor=evaluator.email, user=evaluator)

    before = figures(disclosure)
    assert before[None]["items"] and before["office"]["attrition"], "figures to compare"
    assert before[None]["attrition"][0]["paired"] > 20
    answered = list(
        Enrolment.objects.filter(module=disclosure)
        .exclude(completed_at=None)
        .values_list("user_id", flat=True)
    )
    assert len(answered) > 20

    # Half by request, the rest (and the evaluator) by a retention run.
    for person in named:
        erase_user(person.user.email)
    by_request = {p.user.pk for p in named}
    rest = [pk for pk in answered if pk not in by_request]
    User.objects.filter(pk__in=[*rest, evaluator.pk]).update(
        last_login=timezone.now() - timedelta(days=1000)
    )
    result = apply_retention(days=730)
    assert set(rest) | {evaluator.pk} <= set(result.erased_ids)

    assert figures(disclosure) == before
    export_to_path(request, tmp_path / "after.csv", actor="command line (test)")
    assert (tmp_path / "after.csv").read_bytes() == (tmp_path / "before.csv").read_bytes()
    # The export audit keeps the export and the user id, not the address.
    first = ExportAudit.objects.order_by("pk").first()
    assert first.user_id == evaluator.pk and first.actor == ""
    assert not ExportAudit.objects.filter(actor__icontains="ellis").exists()
