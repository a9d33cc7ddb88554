"""Small-number suppression for published tables of counts of people.

Evaluators see counts of people broken down by region, office and so on, and trainers
see counts per module and quiz question. A count from 1 to k - 1 could help someone
pick out the people behind it, so it is shown as ``[c]`` instead. k is the setting
``EVALUATION_DISCLOSURE_K`` (10 unless configured otherwise), read by ``default_k``:
the evaluator area and the trainers' cohort report use the same threshold and the
same method. This module is plain Python (NumPy, and Django's settings for k) and
imports no app of the project, so any app may use it.

Hiding the small counts alone is not enough, because readers also see totals and
can add and subtract. This module decides which cells to hide so that no
hidden count can be worked out, or narrowed to a small range, from what is shown.

A table is described by a ``CountTable``: the counts, the sums between them that a
reader can see (each "relation" is a total and the parts that add up to it), and any
cells that take part in those sums but are never shown ("unpublished" cells).

``suppress`` applies these rules:

1. Primary suppression. Every published cell with a count from 1 to k - 1 is hidden.
   Zero counts are shown: they describe no one.

2. Secondary suppression, for every relation "total = part + part + ...". Here an
   unpublished cell counts as hidden, so that it stays unknown as well.

   a. If the total is shown, then either no part is hidden, or at least two parts
      are hidden and together they count at least k people. Otherwise a reader could
      subtract the shown parts from the total and get a hidden count exactly, or
      narrow it down to a small range.
   b. If the total is hidden while some part is not zero, at least one non-zero
      part must be hidden too. Otherwise adding up the parts gives the total.

   A broken rule is repaired by hiding the smallest part still shown. Non-zero parts
   are chosen before zeros, and a zero is chosen only when that alone can repair the
   rule. Among equal counts the part listed first is chosen. If no shown part can
   repair rule (a), the total is hidden instead. Hiding a cell for one relation can
   break another, so all relations are checked again until a full pass changes
   nothing.

3. Audit. Rule 2 looks at one relation at a time. When sums run in two directions
   (rows adding up to row totals and also down a hierarchy) a hidden cell can
   sometimes still be worked out by combining several sums. ``recoverable`` checks
   this exactly, with linear algebra. If any hidden cell can be worked out, the
   smallest shown non-zero cell in a relation involving it is hidden, rule 2 is
   applied again, and the audit is repeated until no hidden cell can be worked out.

Some consequences worth knowing:

* With k = 1 no count is small, so nothing is hidden.
* A total with a single part equals that part, so the two are shown or hidden
  together.
* Unpublished cells are never in the result, as they are never shown anyway.
* The result depends only on the table, including the order of its cells and
  relations, so the same table always gives the same cells to hide.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

SUPPRESSED = "[c]"

#: A hidden cell can be worked out when its unit vector lies in the row space of the
#: equations, that is when its squared projection on that space is 1. Rounding leaves
#: it about 1e-15 short; cells that can vary fall short by far more than this.
_FIXED_TOLERANCE = 1e-9

Relation = tuple[Hashable, list[Hashable]]


@dataclass
class CountTable:
    """Counts of people, and the sums between them that the reader can see."""

    #: Cell id -> count of people (a whole number, zero or more).
    values: dict[Hashable, int]
    #: (total cell, [part cells]): the total equals the sum of the parts. Every id
    #: must be in ``values``.
    relations: list[Relation] = field(default_factory=list)
    #: Cells that take part in relations but are never shown, so the reader never
    #: knows them.
    unpublished: set[Hashable] = field(default_factory=set)


def default_k() -> int:
    """The threshold from the ``EVALUATION_DISCLOSURE_K`` setting: the one place it
    is read for on-screen figures."""
    from django.conf import settings

    return settings.EVALUATION_DISCLOSURE_K


def hierarchy_relations(children: Mapping[Hashable, Sequence[Hashable]]) -> list[Relation]:
    """Turn a parent -> children mapping into relations.

    For example ``{"all": ["r1", "r2"], "r1": ["o1", "o2"], "r2": ["o3"]}`` says that
    "all" is the sum of the two regions and each region the sum of its offices.
    """
    relations = []
    for parent, kids in children.items():
        if not kids:
            raise ValueError(f"{parent!r} has no children to add up")
        relations.append((parent, list(kids)))
    return relations


def suppress(table: CountTable, k: int | None = None) -> set[Hashable]:
    """The cells to show as [c] (never includes unpublished cells). Deterministic.

    ``k`` defaults to the ``EVALUATION_DISCLOSURE_K`` setting. The rules are set out
    at the top of this module.
    """
    if k is None:
        k = default_k()
    check_table(table)
    if k <= 1:
        return set()
    hidden = _primary(table, k)
    while True:
        _secondary(table, k, hidden)
        exposed = _recoverable(table, hidden)
        if not exposed:
            return hidden
        hidden.add(_audit_choice(table, hidden, exposed))


def recoverable(table: CountTable, hidden: set[Hashable]) -> set[Hashable]:
    """Hidden cells whose exact value follows from the shown cells and the relations.

    Each relation is a linear equation. Moving the shown cells to the right-hand side
    leaves a system in the unknown cells (hidden or unpublished). A cell's value is
    fixed by that system exactly when every solution of the matching homogeneous
    system leaves it at zero, that is when its unit vector lies in the row space of
    the system. One singular value decomposition gives a basis of the row space, and
    with it the answer for every cell at once.
    """
    check_table(table)
    strangers = [cell for cell in hidden if cell not in table.values]
    if strangers:
        raise ValueError(f"hidden cells not in the table: {strangers!r}")
    return _recoverable(table, hidden)


def check_table(table: CountTable) -> None:
    """Raise ValueError unless the counts and relations are consistent."""
    for cell, count in table.values.items():
        if not isinstance(count, numbers.Integral) or count < 0:
            raise ValueError(f"count for {cell!r} must be a whole number >= 0, not {count!r}")
    missing = [cell for cell in table.unpublished if cell not in table.values]
    if missing:
        raise ValueError(f"unpublished cells not in the table: {missing!r}")
    for total, parts in table.relations:
        _check_relation(table.values, total, parts)


def _check_relation(values: Mapping[Hashable, int], total: Hashable, parts: list) -> None:
    if not parts:
        raise ValueError(f"relation for {total!r} has no parts")
    missing = [cell for cell in [total, *parts] if cell not in values]
    if missing:
        raise ValueError(f"relation for {total!r} names cells not in the table: {missing!r}")
    if total in parts or len(set(parts)) != len(parts):
        raise ValueError(f"relation for {total!r} repeats a cell")
    parts_sum = sum(values[part] for part in parts)
    if values[total] != parts_sum:
        raise ValueError(f"{total!r} is {values[total]} but its parts add up to {parts_sum}")


# Rule 1 -----------------------------------------------------------------------------


def _primary(table: CountTable, k: int) -> set[Hashable]:
    return {
        cell
        for cell, count in table.values.items()
        if 0 < count < k and cell not in table.unpublished
    }


# Rule 2 -----------------------------------------------------------------------------


def _secondary(table: CountTable, k: int, hidden: set[Hashable]) -> None:
    """Hide more cells (in place) until every relation passes rule 2."""
    changed = True
    while changed:
        changed = False
        for total, parts in table.relations:
            while (cell := _repair(table, k, hidden, total, parts)) is not None:
                hidden.add(cell)
                changed = True


def _repair(
    table: CountTable, k: int, hidden: set[Hashable], total: Hashable, parts: list
) -> Hashable | None:
    """The cell to hide next for this relation, or None if the relation passes."""
    values = table.values

    def unknown(cell):
        return cell in hidden or cell in table.unpublished

    shown_parts = [part for part in parts if not unknown(part)]
    non_zero_shown = [part for part in shown_parts if values[part] > 0]

    if unknown(total):
        # Rule 2b: summing the parts must not give the total.
        if any(values[part] > 0 and unknown(part) for part in parts) or not non_zero_shown:
            return None
        return _smallest(non_zero_shown, values)

    # Rule 2a: subtracting from the total must not give or narrow a hidden part.
    hidden_parts = [part for part in parts if unknown(part)]
    hidden_sum = sum(values[part] for part in hidden_parts)
    if not hidden_parts or (len(hidden_parts) >= 2 and hidden_sum >= k):
        return None
    if non_zero_shown:
        return _smallest(non_zero_shown, values)
    if hidden_sum >= k and shown_parts:
        # Only one part is hidden, and it is large enough: a zero makes a second.
        return shown_parts[0]
    return total


def _smallest(cells: list, values: Mapping[Hashable, int]) -> Hashable:
    """The cell with the smallest count; the first listed among equals."""
    return min(cells, key=lambda cell: values[cell])


# Rule 3 -----------------------------------------------------------------------------


def _recoverable(table: CountTable, hidden: set[Hashable]) -> set[Hashable]:
    def unknown(cell):
        return cell in hidden or cell in table.unpublished

    rows = [
        (total, parts)
        for total, parts in table.relations
        if unknown(total) or any(unknown(part) for part in parts)
    ]
    columns: dict[Hashable, int] = {}
    for total, parts in rows:
        for cell in [total, *parts]:
            if unknown(cell) and cell not in columns:
                columns[cell] = len(columns)
    if not columns:
        return set()

    matrix = np.zeros((len(rows), len(columns)))
    for row, (total, parts) in enumerate(rows):
        if total in columns:
            matrix[row, columns[total]] = 1.0
        for part in parts:
            if part in columns:
                matrix[row, columns[part]] = -1.0

    fixed = _row_space_share(matrix) >= 1.0 - _FIXED_TOLERANCE
    return {cell for cell, column in columns.items() if cell in hidden and fixed[column]}


def _row_space_share(matrix: np.ndarray) -> np.ndarray:
    """For each column, the squared length of its unit vector's projection on the
    row space of the matrix: 1 when the column's cell is fixed by the equations."""
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    tolerance = singular.max(initial=0.0) * max(matrix.shape) * np.finfo(float).eps
    rank = int(np.sum(singular > tolerance))
    return np.sum(vt[:rank] ** 2, axis=0)


def _audit_choice(table: CountTable, hidden: set[Hashable], exposed: set[Hashable]) -> Hashable:
    """The shown cell to hide so that an exposed cell can no longer be worked out."""
    involving: dict[Hashable, list[Relation]] = {}
    for relation in table.relations:
        total, parts = relation
        for cell in [total, *parts]:
            involving.setdefault(cell, []).append(relation)

    for cell in table.values:
        if cell in exposed:
            choice = _smallest_shown(table, hidden, involving[cell])
            if choice is not None:
                return choice

    # Every relation around the exposed cells is fully hidden already; widen the
    # search to every relation that has something hidden in it.
    around_hidden = [
        relation
        for relation in table.relations
        if any(cell in hidden or cell in table.unpublished for cell in _cells(relation))
    ]
    choice = _smallest_shown(table, hidden, around_hidden)
    if choice is None:
        raise ValueError("the relations fix a cell's value whatever is hidden")
    return choice


def _smallest_shown(
    table: CountTable, hidden: set[Hashable], relations: Iterable[Relation]
) -> Hashable | None:
    """The smallest shown cell in these relations, non-zero cells first."""
    shown = []
    for relation in relations:
        for cell in _cells(relation):
            if cell not in hidden and cell not in table.unpublished and cell not in shown:
                shown.append(cell)
    non_zero = [cell for cell in shown if table.values[cell] > 0]
    candidates = non_zero or shown
    return _smallest(candidates, table.values) if candidates else None


def _cells(relation: Relation) -> list[Hashable]:
    total, parts = relation
    return [total, *parts]
