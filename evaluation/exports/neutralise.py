"""Formula-injection guard for text that ends up in a spreadsheet cell.

Spreadsheet programs treat a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or carriage return) as a formula. Every text value an export writes
(statements, labels, office and region names, instrument and module names) passes
through ``neutralise`` first, which puts an apostrophe in front of such a value so it
is shown as text. Numbers are written as numbers and are never changed.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
