"""One formula neutraliser, and every CSV or spreadsheet the service writes uses it."""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from common.spreadsheets import NeutralisedSpreadsheetExport, neutralise, neutralise_row

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "content", "assessments", "learning", "evaluation")
PROJECT_PACKAGES = (*APPS, "common", "config")

# Every module that writes CSV or a workbook, and how its text cells are neutralised.
# A new writer fails ``test_every_csv_and_workbook_writer_is_known`` until it is added
# here, with the test that shows its output holds no formula.
KNOWN_WRITERS = {
    # Text reaches the staging tables through neutralise (extract.py imports it).
    "evaluation/exports/extract.py": "tests/evaluation/test_export_privacy.py",
    # Every text cell comes from the catalogue or the staged people, both neutralised.
    "evaluation/exports/writers.py": "tests/evaluation/test_export_privacy.py",
    # SpreadsheetExportMixin views: NeutralisedSpreadsheetExport.
    "learning/admin_views.py": "tests/learning/test_report_spreadsheet_safety.py",
    "evaluation/admin_views.py": "tests/common/test_spreadsheets.py",
    "accounts/admin_views.py": "tests/common/test_spreadsheets.py",
}
WRITER = re.compile(
    r"csv\.writer\(|csv\.DictWriter\(|openpyxl|xlsxwriter|Workbook\(|"
    r"SpreadsheetExportMixin|ReportView|to_csv\(|to_excel\(|COPY \("
)


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+44 20", "-x", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("https://x.example")'],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Plain text = fine", "", "'=already", 3, -1, -2.5, None])
def test_anything_else_is_left_alone(value):
    assert neutralise(value) == value


def test_neutralising_twice_changes_nothing_more():
    assert neutralise(neutralise("=1+1")) == "'=1+1"
    assert neutralise_row(["=a", 1, "b"]) == ["'=a", 1, "b"]


def project_sources():
    for package in PROJECT_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_every_csv_and_workbook_writer_is_known():
    writers = {
        str(path.relative_to(ROOT))
        for path in project_sources()
        if WRITER.search(path.read_text()) and path.name != "spreadsheets.py"
    }
    assert writers == set(KNOWN_WRITERS), (
        "A module writes CSV or a workbook: neutralise its text with "
        "common.spreadsheets and list it in KNOWN_WRITERS."
    )
    for test in KNOWN_WRITERS.values():
        assert (ROOT / test).exists()


def test_the_evaluation_exports_use_the_shared_neutraliser():
    import evaluation.exports.catalogue as catalogue
    import evaluation.exports.extract as extract

    assert catalogue.neutralise is neutralise
    assert extract.neutralise is neutralise
    assert not (ROOT / "evaluation" / "exports" / "neutralise.py").exists()


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_every_spreadsheet_export_view_of_the_service_neutralises():
    for package in APPS:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if ".migrations" not in info.name and ".management" not in info.name:
                importlib.import_module(info.name)
    views = [
        cls
        for cls in all_subclasses(SpreadsheetExportMixin)
        if cls.__module__.split(".")[0] in PROJECT_PACKAGES
    ]
    assert {cls.__module__ for cls in views} >= {"learning.admin_views", "evaluation.admin_views"}
    for cls in views:
        assert issubclass(cls, NeutralisedSpreadsheetExport), cls
        # Listed first, so its methods wrap Wagtail's.
        assert cls.__mro__.index(NeutralisedSpreadsheetExport) < cls.__mro__.index(
            SpreadsheetExportMixin
        ), cls


@pytest.mark.django_db
def test_the_export_audit_download_neutralises_a_formula_actor(client):
    from django.urls import reverse

    from evaluation.models import ExportAudit
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    ExportAudit.objects.create(
        actor="=cmd|' /C calc'!A0",
        source="command_line",
        format="long",
        key_id="@key",
        filters={"modules": ["-module"]},
        row_count=3,
        people=2,
        sha256="0" * 64,
    )
    client.force_login(admin)
    response = client.get(reverse("evaluation_audit:index") + "?export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "'=cmd|' /C calc'!A0" in text
    assert "'@key" in text
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@")), cell
