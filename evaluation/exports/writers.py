"""The files: wide table, codebook, workbook, SPSS and Stata.

The long CSV is written straight from the database by ``Extract.write_long_csv``.
Everything here starts from the wide table, built in memory from one pass over the
answers: a grid of numbers (8 bytes a cell: people × modules by columns) plus a few
text columns per row.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date

from .catalogue import Catalogue, Variable
from .extract import LONG_COLUMNS, Extract
from .request import ExportError

EXCEL_MAX_ROWS = 1_048_576
PERSON_COLUMNS = [
    "pid",
    "region",
    "office",
    "role",
    "module",
    "started_on",
    "completed_on",
]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class WideTable:
    variables: list[Variable]
    #: Per row: pid, region, office, role, module, started_on, completed_on.
    people: list[tuple]
    #: Numeric columns, one row per person and module: numpy array (rows × numeric).
    values: object
    numeric: list[Variable]

    @property
    def rows(self) -> int:
        return len(self.people)


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def build_wide(extract: Extract) -> WideTable:
    import numpy as np

    catalogue = extract.catalogue
    variables = catalogue.variables()
    numeric = [v for v in variables if v.type not in ("text", "date")]
    column = {v.name: n for n, v in enumerate(numeric)}
    enrolments = extract.enrolment_rows()
    people = [
        (pid, region, office, role, module, _as_date(started), _as_date(completed))
        for _, pid, region, office, role, module, started, completed, _ in enrolments
    ]
    values = np.full((len(people), len(numeric)), np.nan)
    reaction = column["reaction_rating"]
    for row, (*_, rating) in enumerate(enrolments):
        if rating is not None:
            values[row, reaction] = rating
    del enrolments

    # (0 statement / 1 question, id, timepoint) -> column; question id -> attempts column.
    cells: dict[tuple[int, int, str], int] = {}
    attempts: dict[int, int] = {}
    for kind, items in ((0, catalogue.survey_items), (1, catalogue.quiz_items)):
        for item in items.values():
            for timepoint in item.instrument.timepoints:
                name = f"{item.item_key}_{timepoint}"
                if name in column:
                    cells[(kind, item.id, timepoint)] = column[name]
            if kind == 1:
                name = f"{item.instrument.prefix}_attempts_post"
                if name in column:
                    attempts[item.id] = column[name]
    for sort, kind, item_id, timepoint, value, number in extract.wide_answers():
        cell = cells.get((kind, item_id, timepoint))
        if cell is None:
            continue
        values[sort - 1, cell] = value
        if kind == 1 and timepoint == "post":
            values[sort - 1, attempts[item_id]] = number

    _summaries(catalogue, numeric, column, values)
    return WideTable(variables, people, values, numeric)


def _summaries(catalogue: Catalogue, numeric, column, values) -> None:
    import numpy as np

    for instrument in catalogue.instruments:
        for timepoint in instrument.timepoints:
            names = [f"{key}_{timepoint}" for key in instrument.item_keys]
            indexes = [column[name] for name in names]
            if not indexes:
                continue
            block = values[:, indexes].copy()
            answered = (~np.isnan(block)).sum(axis=1)
            if instrument.kind == "survey":
                for n, key in enumerate(instrument.item_keys):
                    item = instrument.latest(key)
                    if item.reverse_coded:
                        block[:, n] = item.scale_min + item.scale_max - block[:, n]
                total = np.nansum(block, axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    mean = np.where(answered > 0, total / answered, np.nan)
                values[:, column[f"{instrument.prefix}_mean_{timepoint}"]] = np.round(mean, 4)
            else:
                total = np.nansum(block, axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    percent = np.where(answered > 0, 100 * total / answered, np.nan)
                values[:, column[f"{instrument.prefix}_pct_{timepoint}"]] = np.round(percent, 1)


def _number(value: float, variable: Variable) -> int | float | None:
    if math.isnan(value):
        return None
    if variable.type in ("mean", "percent"):
        return float(value)
    return int(value)


def _csv_number(value: float, variable: Variable):
    number = _number(value, variable)
    return "" if number is None else number


def write_wide_csv(table: WideTable, out) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([v.name for v in table.variables])
        order = _column_order(table)
        for row, person in enumerate(table.people):
            numbers = table.values[row]
            writer.writerow(
                [
                    person[ref]
                    if kind == "person"
                    else _csv_number(numbers[ref], table.numeric[ref])
                    for kind, ref in order
                ]
            )
        text.flush()
    finally:
        text.detach()
    return table.rows


def _column_order(table: WideTable) -> list[tuple[str, int]]:
    numeric = {v.name: n for n, v in enumerate(table.numeric)}
    order = []
    for variable in table.variables:
        if variable.name in numeric:
            order.append(("number", numeric[variable.name]))
        else:
            order.append(("person", PERSON_COLUMNS.index(variable.name)))
    return order


def wide_frame(table: WideTable):
    """The wide table as a pandas DataFrame (for the workbook, SPSS and Stata)."""
    import pandas as pd

    data = {}
    for n, name in enumerate(PERSON_COLUMNS):
        data[name] = pd.Series([p[n] for p in table.people], dtype="object")
    for n, variable in enumerate(table.numeric):
        data[variable.name] = table.values[:, n]
    return pd.DataFrame(data, columns=[v.name for v in table.variables])


# Codebook --------------------------------------------------------------------------

CODEBOOK_COLUMNS = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]

LONG_ONLY = [
    ("instrument", "The survey's or quiz's key", "text", ""),
    ("instrument_version", "The version of the instrument answered", "text", "integer"),
    (
        "timepoint",
        "pre (before the module), post (after it), then (thinking back, asked after the"
        " module) or follow_up",
        "text",
        "",
    ),
    ("item_key", "The statement's or question's key: the wide file's column name stem", "text", ""),
    ("item_text", "The wording of the statement or question in that version", "text", ""),
    ("value", "The answer: a scale point, or 1 correct and 0 incorrect", "text", "integer"),
    ("value_label", "The answer's label in that version's scale", "text", ""),
    ("scale_min", "The lowest point of the scale (0 for quiz questions)", "text", "integer"),
    ("scale_max", "The highest point of the scale (1 for quiz questions)", "text", "integer"),
    ("submitted_on", "The day the answer was given (UK time)", "text", "date_ymd"),
    (
        "days_since_enrolment",
        "Days from the day the module was started to submitted_on",
        "text",
        "integer",
    ),
]


def _choices(labels: dict[int, str]) -> str:
    return " | ".join(f"{value}, {label}" for value, label in sorted(labels.items()))


def codebook_rows(catalogue: Catalogue) -> list[list[str]]:
    rows: list[list[str]] = []

    def add(
        name,
        form,
        kind,
        label,
        choices="",
        note="",
        validation="",
        low="",
        high="",
        identifier="",
        section="",
        annotation="",
    ):
        row = [
            name,
            form,
            section,
            kind,
            label,
            choices,
            note,
            validation,
            low,
            high,
            identifier,
            "",
            "",
            "",
            "",
            "",
            "",
            annotation,
        ]
        rows.append([str(cell) for cell in row])

    first = True
    for variable in catalogue.variables():
        section = ""
        if variable.form == "person" and first:
            section = "The person and the module (in both files; one row each in the wide file)"
            first = False
        if variable.type == "text":
            add(
                variable.name,
                "person",
                "text",
                variable.label,
                identifier="y" if variable.identifier else "",
                section=section,
            )
        elif variable.type == "date":
            add(variable.name, "person", "text", variable.label, validation="date_ymd")
        elif variable.type == "int" and variable.form == "person":
            add(
                variable.name,
                "person",
                "radio",
                variable.label,
                choices=_choices(variable.value_labels),
            )
        else:
            instrument = variable.instrument
            versions = ""
            if variable.item_key:
                versions = ",".join(str(v) for v in instrument.versions_by_key[variable.item_key])
            annotation = "; ".join(
                part
                for part in (
                    f"instrument={instrument.key}",
                    f"item_key={variable.item_key}" if variable.item_key else "",
                    f"timepoint={variable.timepoint}" if variable.timepoint else "",
                    f"versions={versions}" if versions else "",
                )
                if part
            )
            note = variable.note
            if variable.item_key:
                wordings = {
                    item.version: item.text
                    for item in instrument.items
                    if item.item_key == variable.item_key
                }
                latest = instrument.latest(variable.item_key)
                older = [f"version {v}: {t}" for v, t in wordings.items() if t != latest.text]
                if older:
                    note = (note + " " if note else "") + "Earlier wording, " + "; ".join(older)
                if latest.case:
                    note = (note + " " if note else "") + f"Scenario: {latest.case}"
            if variable.type in ("item", "quiz"):
                add(
                    variable.name,
                    instrument.key,
                    "radio",
                    variable.label,
                    choices=_choices(variable.value_labels),
                    note=note,
                    annotation=annotation,
                )
            elif variable.type == "mean":
                parts = []
                for key in instrument.item_keys:
                    item = instrument.latest(key)
                    cell = f"[{key}_{variable.timepoint}]"
                    if item.reverse_coded:
                        cell = f"({item.scale_min + item.scale_max}-{cell})"
                    parts.append(cell)
                add(
                    variable.name,
                    instrument.key,
                    "calc",
                    variable.label,
                    choices=f"mean({','.join(parts)})",
                    note="Mean of the statements answered at this timepoint.",
                    annotation=annotation,
                )
            elif variable.type == "percent":
                cells = ",".join(f"[{key}_{variable.timepoint}]" for key in instrument.item_keys)
                add(
                    variable.name,
                    instrument.key,
                    "calc",
                    variable.label,
                    choices=f"round(100*sum({cells})/(questions answered),1)",
                    note="From the attempt that counts at this timepoint.",
                    annotation=annotation,
                )
            else:
                add(
                    variable.name,
                    instrument.key,
                    "text",
                    variable.label,
                    validation="integer",
                    annotation=annotation,
                )
    for n, (name, label, kind, validation) in enumerate(LONG_ONLY):
        add(
            name,
            "long_file",
            kind,
            label,
            validation=validation,
            section="Columns of the long file only (one row per answer)" if n == 0 else "",
        )
    return rows


def write_codebook_csv(catalogue: Catalogue, out) -> int:
    rows = codebook_rows(catalogue)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(CODEBOOK_COLUMNS)
        writer.writerows(rows)
        text.flush()
    finally:
        text.detach()
    return len(rows)


# Workbook, SPSS, Stata ---------------------------------------------------------------


def _cell(value):
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_xlsx(table: WideTable, catalogue: Catalogue, about: list[tuple[str, str]], path) -> int:
    from openpyxl import Workbook

    if table.rows + 1 > EXCEL_MAX_ROWS:
        raise ExportError(
            f"The wide table has {table.rows} rows, more than Excel allows: choose CSV."
        )
    book = Workbook(write_only=True)
    data = book.create_sheet("Data")
    data.append([v.name for v in table.variables])
    order = _column_order(table)
    for row, person in enumerate(table.people):
        numbers = table.values[row]
        cells = []
        for kind, ref in order:
            if kind == "person":
                cells.append(_cell(person[ref]))
            else:
                cells.append(_number(numbers[ref], table.numeric[ref]))
        data.append(cells)
    codebook = book.create_sheet("Codebook")
    codebook.append(CODEBOOK_COLUMNS)
    for row in codebook_rows(catalogue):
        codebook.append([_cell(cell) for cell in row])
    sheet = book.create_sheet("About")
    for name, value in about:
        sheet.append([_cell(name), _cell(value)])
    book.save(path)
    return table.rows


def _labels(table: WideTable, limit: int) -> dict[str, str]:
    return {v.name: v.label[:limit] for v in table.variables}


def _value_labels(table: WideTable) -> dict[str, dict[int, str]]:
    return {v.name: dict(v.value_labels) for v in table.variables if v.value_labels}


def _frame_for_stats(table: WideTable):
    frame = wide_frame(table)
    for name in ("started_on", "completed_on"):
        frame[name] = frame[name].astype("object")
    return frame


def write_sav(table: WideTable, path, file_label: str) -> int:
    import pyreadstat

    measure, formats = {}, {}
    for v in table.variables:
        if v.type in ("text", "quiz"):
            measure[v.name] = "nominal"
        elif v.type == "item" or v.value_labels:
            measure[v.name] = "ordinal"
        elif v.type != "date":
            measure[v.name] = "scale"
        if v.type in ("item", "quiz", "int"):
            formats[v.name] = "F8.0"
        elif v.type == "mean":
            formats[v.name] = "F8.4"
        elif v.type == "percent":
            formats[v.name] = "F8.1"
    pyreadstat.write_sav(
        _frame_for_stats(table),
        str(path),
        file_label=file_label[:64],
        column_labels=_labels(table, 255),
        variable_value_labels=_value_labels(table),
        variable_measure=measure,
        variable_format=formats,
    )
    return table.rows


def write_dta(table: WideTable, path, file_label: str) -> int:
    import pyreadstat

    formats = {}
    for v in table.variables:
        if v.type in ("item", "quiz", "int"):
            formats[v.name] = "%8.0g"
        elif v.type in ("mean", "percent"):
            formats[v.name] = "%9.4g"
    pyreadstat.write_dta(
        _frame_for_stats(table),
        str(path),
        file_label=file_label[:80],
        column_labels=_labels(table, 80),
        variable_value_labels=_value_labels(table),
        variable_format=formats,
    )
    return table.rows


__all__ = [
    "LONG_COLUMNS",
    "WideTable",
    "build_wide",
    "codebook_rows",
    "write_codebook_csv",
    "write_dta",
    "write_sav",
    "write_wide_csv",
    "write_xlsx",
]
