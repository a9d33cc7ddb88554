"""Formula-injection guard for every CSV or spreadsheet the service writes.

Spreadsheet programs treat a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or carriage return) as a formula, so a module title or question text
such as ``=HYPERLINK(...)`` could run when a trainer or evaluator opens a download
(OWASP, "CSV Injection"). Every text value a download writes passes through
``neutralise`` first, which puts an apostrophe in front of such a value so it is shown
as text. Numbers are written as numbers and are never changed.

``NeutralisedSpreadsheetExport`` applies it to views built on Wagtail's
``SpreadsheetExportMixin`` (admin reports with ``?export=csv`` / ``?export=xlsx``): list
it before the Wagtail view class, e.g. ``class MyReport(NeutralisedSpreadsheetExport,
ReportView)``. It is plain Python (it only wraps the methods it overrides), so this
package still imports nothing from Django, Wagtail or the project's apps.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value, with an apostrophe in front if it is text a spreadsheet would read
    as a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values):
    """``neutralise`` over one row, for ``csv.writer(...).writerow``."""
    return [neutralise(value) for value in values]


class NeutralisedSpreadsheetExport:
    """Mixin for Wagtail's ``SpreadsheetExportMixin`` views: every cell and heading of
    the CSV and XLSX downloads goes through ``neutralise``."""

    def preprocess_field_value(self, field, value, export_format):
        return neutralise(super().preprocess_field_value(field, value, export_format))

    def get_heading(self, queryset, field):
        return neutralise(super().get_heading(queryset, field))
