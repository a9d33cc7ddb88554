"""The evaluator's filters for one module's figures (a GET form)."""

from __future__ import annotations

from django import forms

from accounts.models import Office, Region

from .forms import DateInput
from .queries import ROLES
from .report import ReportRequest, quiz_versions, survey_versions


class ReportFilterForm(forms.Form):
    survey_version = forms.TypedChoiceField(
        label="Survey version", coerce=int, required=False, empty_value=None
    )
    quiz_version = forms.TypedChoiceField(
        label="Quiz version", coerce=int, required=False, empty_value=None
    )
    since = forms.DateField(
        label="Started on or after",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Enter the first start date as a real date, like 2026-04-01"},
    )
    until = forms.DateField(
        label="Started on or before",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Enter the last start date as a real date, like 2026-06-30"},
    )
    region = forms.ModelChoiceField(
        label="Region",
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label="All regions",
        to_field_name="slug",
    )
    office = forms.ModelChoiceField(
        label="Office",
        queryset=Office.objects.select_related("region").order_by("region__name", "name"),
        required=False,
        empty_label="All offices",
        to_field_name="slug",
    )
    role = forms.ChoiceField(
        label="Role", choices=[("", "All roles"), *[(r, r) for r in ROLES]], required=False
    )
    by = forms.ChoiceField(
        label="Break down by",
        choices=[
            ("", "No breakdown"),
            ("region", "Region"),
            ("office", "Office"),
            ("role", "Role"),
        ],
        required=False,
    )

    def __init__(self, data, *, module):
        super().__init__(data)
        self.module = module
        self.fields["survey_version"].choices = [
            (v.pk, f"{v.survey.title}, version {v.number}") for v in survey_versions(module)
        ]
        self.fields["quiz_version"].choices = [
            (v.pk, f"{v.quiz.title}, version {v.number}") for v in quiz_versions(module)
        ]
        self.fields["office"].label_from_instance = lambda office: (
            f"{office.name} ({office.region.name})"
        )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The last start date must be on or after the first")
        office, region = data.get("office"), data.get("region")
        if office and region and office.region_id != region.pk:
            self.add_error("office", f"{office.name} is not in {region.name}")
        by, role = data.get("by"), data.get("role")
        place = office or region or by in ("region", "office")
        if (role or by == "role") and place:
            self.add_error(
                "role",
                "Choose a role or a place, not both: figures for a role within a place "
                "could reveal small groups",
            )
        if office and by in ("region", "office"):
            self.add_error("by", "A single office cannot be broken down by region or office")
        if region and by == "region":
            self.add_error("by", "A single region cannot be broken down by region")
        return data

    def report_request(self) -> ReportRequest:
        data = self.cleaned_data
        surveys = {v.pk: v for v in survey_versions(self.module)}
        quizzes = {v.pk: v for v in quiz_versions(self.module)}
        return ReportRequest(
            module=self.module,
            survey_version=surveys.get(data.get("survey_version")),
            quiz_version=quizzes.get(data.get("quiz_version")),
            since=data.get("since"),
            until=data.get("until"),
            region=data.get("region"),
            office=data.get("office"),
            role=data.get("role") or None,
            by=data.get("by") or None,
        )
