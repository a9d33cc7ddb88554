"""``manage.py evaluation_report --module SLUG [--by region|office|role] [--format json|text]``

Prints one module's evaluation figures: the same figures, with the same cells
suppressed, as the evaluator's module page (both come from ``evaluation.report``).
Bad arguments exit with status 2 and one line saying what is wrong.
"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Office, Region
from assessments.models import QuizVersion, SurveyVersion
from content.models import ModulePage
from evaluation.queries import ROLES
from evaluation.report import BREAKDOWNS, ReportError, ReportRequest, build_report
from evaluation.serialise import report_figures, report_text


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"'{value}' is not a date in the form YYYY-MM-DD.", returncode=2
        ) from None


class Command(BaseCommand):
    help = "Print a module's paired before/after figures, with small numbers suppressed."

    def add_arguments(self, parser):
        parser.add_argument("--module", required=True, help="The module's slug.")
        parser.add_argument("--by", choices=BREAKDOWNS, help="Break figures down by group.")
        parser.add_argument("--format", choices=("json", "text"), default="text")
        parser.add_argument("--survey-version", type=int, help="Survey version number.")
        parser.add_argument("--quiz-version", type=int, help="Quiz version number.")
        parser.add_argument("--since", help="Coaches who started on or after YYYY-MM-DD.")
        parser.add_argument("--until", help="Coaches who started on or before YYYY-MM-DD.")
        parser.add_argument("--region", help="Only this region (its slug).")
        parser.add_argument("--office", help="Only this office (its slug).")
        parser.add_argument("--role", choices=ROLES, help="Only people in this role.")

    def fail(self, message: str):
        raise CommandError(message, returncode=2)

    def handle(self, *args, **options):
        module = ModulePage.objects.filter(slug=options["module"]).first()
        if module is None:
            self.fail(f"There is no module with the slug '{options['module']}'.")
        survey_version = quiz_version = None
        if options["survey_version"] is not None:
            survey_version = SurveyVersion.objects.filter(
                survey_id=module.confidence_survey_id, number=options["survey_version"]
            ).first()
            if survey_version is None:
                self.fail(f"The module's survey has no version {options['survey_version']}.")
        if options["quiz_version"] is not None:
            quiz_version = QuizVersion.objects.filter(
                quiz_id=module.quiz_id, number=options["quiz_version"]
            ).first()
            if quiz_version is None:
                self.fail(f"The module's quiz has no version {options['quiz_version']}.")
        region = office = None
        if options["region"]:
            region = Region.objects.filter(slug=options["region"]).first()
            if region is None:
                self.fail(f"There is no region with the slug '{options['region']}'.")
        if options["office"]:
            office = Office.objects.filter(slug=options["office"]).first()
            if office is None:
                self.fail(f"There is no office with the slug '{options['office']}'.")
        request = ReportRequest(
            module=module,
            survey_version=survey_version,
            quiz_version=quiz_version,
            since=_date(options["since"]) if options["since"] else None,
            until=_date(options["until"]) if options["until"] else None,
            region=region,
            office=office,
            role=options["role"],
            by=options["by"],
        )
        try:
            report = build_report(request)
        except ReportError as exc:
            self.fail(str(exc))
        figures = report_figures(report)
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(report_text(figures), ending="")
