"""Tests for small-number suppression (``common.disclosure``).

The worked examples are small enough to follow by hand. The property tests build
hundreds of random tables shaped like the published ones and check every result
twice: with ``recoverable`` and, independently, with a linear programme that looks
for the smallest and largest value each hidden cell could take.
"""

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from common.disclosure import (
    SUPPRESSED,
    CountTable,
    _primary,
    _secondary,
    hierarchy_relations,
    recoverable,
    suppress,
)

K = 10
COLUMNS = ("neither", "pre_only", "post_only", "paired")


def partition(total, parts, **kwargs):
    """A one-level table: a total cell "all" and named parts adding up to it."""
    values = {"all": sum(parts.values()), **parts}
    assert total is None or total == values["all"]
    return CountTable(values, [("all", list(parts))], **kwargs)


# Worked examples ----------------------------------------------------------------


def test_marker():
    assert SUPPRESSED == "[c]"


def test_small_part_and_next_smallest_are_hidden():
    table = partition(50, {"a": 3, "b": 12, "c": 15, "d": 20})
    # a is small; the reader could get it as 50 - 12 - 15 - 20, so the next
    # smallest part goes too, and together they count 15 >= 10 people.
    assert suppress(table, K) == {"a", "b"}


def test_third_part_hidden_when_two_small_parts_count_too_few():
    table = partition(39, {"a": 3, "b": 4, "c": 12, "d": 20})
    # a and b are both small, but a + b = 39 - 12 - 20 = 7 would tell the reader
    # that each is at most 7. Hiding c makes the hidden parts count 19.
    assert suppress(table, K) == {"a", "b", "c"}


def test_ties_go_to_the_part_listed_first():
    assert suppress(partition(27, {"a": 3, "b": 12, "c": 12}), K) == {"a", "b"}
    assert suppress(partition(27, {"a": 3, "c": 12, "b": 12}), K) == {"a", "c"}


def test_zeros_are_shown_and_not_used_while_non_zero_parts_remain():
    table = partition(40, {"z1": 0, "a": 5, "z2": 0, "b": 15, "c": 20})
    assert suppress(table, K) == {"a", "b"}


def test_zero_hidden_only_when_nothing_else_will_do():
    # g = x + s shows 24 with s = 4 small, so x (20) is hidden with s. Then
    # all = x + z shows 20 with x its only hidden part: the only shown part left is
    # the zero z, and hiding it stops the reader taking x as 20 - 0.
    values = {"g": 24, "x": 20, "s": 4, "all": 20, "z": 0}
    table = CountTable(values, [("g", ["x", "s"]), ("all", ["x", "z"])])
    hidden = suppress(table, K)
    assert hidden == {"s", "x", "z"}
    assert_safe(table, hidden, K)


def test_nothing_hidden_when_all_counts_are_large_or_zero():
    assert suppress(partition(70, {"a": 0, "b": 30, "c": 40}), K) == set()


def test_everything_zero():
    children = {"all": ["r1", "r2"], "r1": ["o1", "o2"], "r2": ["o3"]}
    values = dict.fromkeys(["all", "r1", "r2", "o1", "o2", "o3"], 0)
    table = CountTable(values, hierarchy_relations(children))
    assert suppress(table, K) == set()


def test_k_of_one_hides_nothing():
    table = partition(6, {"a": 1, "b": 2, "c": 3}, unpublished={"all"})
    assert suppress(table, 1) == set()
    # With k = 2 only the 1 is small; the unpublished total keeps it company.
    assert suppress(table, 2) == {"a"}


def test_k_defaults_to_the_setting(settings):
    table = partition(23, {"a": 6, "b": 8, "c": 9})
    settings.EVALUATION_DISCLOSURE_K = 5
    assert suppress(table) == set()
    settings.EVALUATION_DISCLOSURE_K = 10
    assert suppress(table) == {"a", "b", "c"}


def test_single_part_total_shares_its_part_fate():
    assert suppress(CountTable({"all": 4, "only": 4}, [("all", ["only"])]), K) == {
        "all",
        "only",
    }
    assert suppress(CountTable({"all": 25, "only": 25}, [("all", ["only"])]), K) == set()


def test_single_part_totals_in_a_hierarchy():
    children = {"all": ["r1", "r2"], "r1": ["o1"], "r2": ["o2", "o3"]}
    values = {"all": 36, "r1": 4, "r2": 32, "o1": 4, "o2": 12, "o3": 20}
    table = CountTable(values, hierarchy_relations(children))
    # o1 and r1 are small. all = r1 + r2 would give r1, so r2 is hidden; r2 = o2 + o3
    # would then give r2, so its smaller part o2 is hidden as well.
    hidden = suppress(table, K)
    assert hidden == {"o1", "r1", "r2", "o2"}
    assert_safe(table, hidden, K)


def test_secondary_hiding_of_a_single_part_hides_its_total():
    # r1's only office o1 (30) is hidden to protect o2 in the office-level sum, so
    # r1 (also 30) must go with it.
    values = {"r1": 30, "o1": 30, "d": 34, "o2": 4}
    table = CountTable(values, [("r1", ["o1"]), ("d", ["o1", "o2"])])
    hidden = suppress(table, K)
    assert hidden == {"o2", "o1", "r1"}
    assert_safe(table, hidden, K)


def test_unpublished_total_is_not_given_away_by_its_parts():
    table = partition(50, {"a": 20, "b": 30}, unpublished={"all"})
    assert suppress(table, K) == {"a"}


def test_unpublished_cells_are_never_returned():
    table = partition(5, {"a": 2, "b": 3}, unpublished={"all"})
    assert suppress(table, K) == {"a", "b"}


def test_unpublished_part_counts_as_hidden():
    table = partition(50, {"u": 20, "a": 15, "b": 15}, unpublished={"u"})
    # The reader must not get u as 50 - 15 - 15.
    assert suppress(table, K) == {"a"}


def test_input_is_left_alone_and_result_is_a_fresh_set():
    table = partition(39, {"a": 3, "b": 4, "c": 12, "d": 20}, unpublished={"all"})
    before = (
        dict(table.values),
        [(t, list(p)) for t, p in table.relations],
        set(table.unpublished),
    )
    first = suppress(table, K)
    first.add("all")
    assert suppress(table, K) == {"a", "b"}
    assert (table.values, table.relations, table.unpublished) == before


# recoverable ----------------------------------------------------------------------


def test_recoverable_one_relation():
    table = partition(50, {"a": 3, "b": 12, "c": 15, "d": 20})
    assert recoverable(table, {"a"}) == {"a"}
    assert recoverable(table, {"a", "b"}) == set()
    assert recoverable(table, {"all", "a"}) == set()
    assert recoverable(table, set()) == set()


def test_recoverable_through_two_relations():
    # Hiding o1 and r1 together does not help when r1's only part is o1 and the
    # grand total and r2 are shown.
    values = {"all": 30, "r1": 4, "r2": 26, "o1": 4}
    table = CountTable(values, [("all", ["r1", "r2"]), ("r1", ["o1"])])
    assert recoverable(table, {"o1", "r1"}) == {"o1", "r1"}
    assert recoverable(table, {"o1", "r1", "r2"}) == set()


def test_recoverable_treats_unpublished_cells_as_unknown():
    table = partition(50, {"a": 3, "b": 12, "c": 35}, unpublished={"c"})
    assert recoverable(table, {"a"}) == set()
    assert recoverable(table, {"a", "b"}) == set()


def test_recoverable_ignores_cells_outside_every_relation():
    table = CountTable({"lonely": 3, "all": 5, "a": 5}, [("all", ["a"])])
    assert recoverable(table, {"lonely"}) == set()


# A bridge in a two-way table ------------------------------------------------------

BRIDGE_CELLS = [
    [3, 30, 8, 40],
    [12, 2, 2, 40],
    [30, 15, 20, 8],
    [30, 20, 0, 3],
]


def two_way_table(cells):
    """Rows, columns, row totals ("T") and column totals, all shown."""
    values = {}
    n_rows, n_columns = len(cells), len(cells[0])
    for i, row in enumerate(cells):
        values.update({(i, j): count for j, count in enumerate(row)})
        values[(i, "T")] = sum(row)
    for j in range(n_columns):
        values[("T", j)] = sum(row[j] for row in cells)
    values[("T", "T")] = sum(map(sum, cells))
    relations = [((i, "T"), [(i, j) for j in range(n_columns)]) for i in range(n_rows)]
    relations += [(("T", j), [(i, j) for i in range(n_rows)]) for j in range(n_columns)]
    relations.append((("T", "T"), [(i, "T") for i in range(n_rows)]))
    relations.append((("T", "T"), [("T", j) for j in range(n_columns)]))
    return CountTable(values, relations)


def test_audit_breaks_a_bridge_that_the_relation_rules_miss():
    table = two_way_table(BRIDGE_CELLS)
    # Rule 1 hides the six cells from 1 to 9. Rule 2 then hides 12 in
    # row 1, 15 in row 2 and 20 in row 3 (the 0 in row 3 is left shown). Every row
    # and column now has two or more hidden cells counting 10 or more.
    by_rules = {(0, 0), (0, 2), (1, 0), (1, 1), (1, 2), (2, 1), (2, 3), (3, 1), (3, 3)}
    hidden = _primary(table, K)
    _secondary(table, K, hidden)
    assert hidden == by_rules

    # But the hidden cells form two loops, rows 0-1 by columns 0 and 2 and rows 2-3
    # by columns 1 and 3, joined by the single cell (1, 1). Adding the hidden parts
    # of rows 0 and 1 and taking away those of columns 0 and 2 leaves just (1, 1):
    # (11 + 16) - (15 + 10) = 2.
    assert recoverable(table, by_rules) == {(1, 1)}

    # The audit hides the smallest shown non-zero cell next to (1, 1): the 30 at
    # (0, 1), which ties the two loops together a second time.
    hidden = suppress(table, K)
    assert hidden == by_rules | {(0, 1)}
    assert_safe(table, hidden, K)


# Validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        CountTable({"all": 5, "a": 2, "b": 2}, [("all", ["a", "b"])]),
        CountTable({"all": 4, "a": 2}, [("all", ["a", "b"])]),
        CountTable({"all": 0}, [("all", [])]),
        CountTable({"all": 4, "a": 2}, [("all", ["a", "a"])]),
        CountTable({"a": -1}),
        CountTable({"a": 2.5}),
        CountTable({"a": 2}, unpublished={"b"}),
    ],
    ids=["bad sum", "unknown part", "no parts", "repeated part", "negative", "fraction", "stray"],
)
def test_inconsistent_tables_are_refused(table):
    with pytest.raises(ValueError):
        suppress(table, K)


def test_recoverable_refuses_hidden_cells_outside_the_table():
    with pytest.raises(ValueError):
        recoverable(partition(5, {"a": 5}), {"b"})


def test_numpy_counts_are_accepted():
    table = partition(50, {"a": np.int64(3), "b": np.int64(47)})
    assert suppress(table, K) == {"a", "b"}


def test_hierarchy_relations():
    children = {"all": ("r1", "r2"), "r1": ["o1", "o2"], "r2": ["o3"]}
    assert hierarchy_relations(children) == [
        ("all", ["r1", "r2"]),
        ("r1", ["o1", "o2"]),
        ("r2", ["o3"]),
    ]
    with pytest.raises(ValueError):
        hierarchy_relations({"all": []})


# Determinism ----------------------------------------------------------------------


def test_same_table_gives_same_cells():
    rng = random.Random(7)
    tables = [attrition_table(rng) for _ in range(20)]
    for table in tables:
        copy = CountTable(
            dict(table.values),
            [(total, list(parts)) for total, parts in table.relations],
            set(table.unpublished),
        )
        assert suppress(table, K) == suppress(copy, K) == suppress(table, K)


SCRIPT = """
import random, sys
sys.path.insert(0, {root!r})
from common.disclosure import CountTable, hierarchy_relations, suppress
rng = random.Random(3)
names = ["office-" + str(i) for i in range(12)]
counts = {{name: rng.choice([0, 2, 5, 9, 12, 15, 30]) for name in names}}
regions = {{"north": names[:4], "south": names[4:9], "west": names[9:]}}
values = {{**counts}}
for region, offices in regions.items():
    values[region] = sum(counts[o] for o in offices)
values["all"] = sum(counts.values())
children = {{"all": list(regions), **regions}}
table = CountTable(values, hierarchy_relations(children), unpublished={{"west"}})
print(sorted(suppress(table, 10)))
"""


def test_result_does_not_depend_on_hash_seed():
    # String ids are hashed differently in each Python process, so any reliance on
    # set order would show up as different results here.
    root = str(Path(__file__).resolve().parents[2])
    outputs = set()
    for seed in ("1", "2", "3"):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", SCRIPT.format(root=root)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert "west" not in outputs.pop()


# Random tables --------------------------------------------------------------------


def draw_count(rng):
    """A count of people, with small counts common."""
    roll = rng.random()
    if roll < 0.15:
        return 0
    if roll < 0.5:
        return rng.randint(1, K - 1)
    return rng.randint(K, 60)


def region_tree(rng, regions, offices):
    """{"overall": [regions], region: [offices]}, with a random number of offices."""
    tree = {"overall": [f"r{i}" for i in range(regions)]}
    for region in tree["overall"]:
        tree[region] = [f"{region}o{j}" for j in range(rng.randint(*offices))]
    return tree


def rows_of(tree):
    """Every row, top down: overall, then the regions, then the offices."""
    regions = tree["overall"]
    return ["overall", *regions, *[office for region in regions for office in tree[region]]]


def add_up(tree, leaf_counts, row):
    """A row's counts: the leaf's own, or the sum over its children."""
    if row not in tree:
        return leaf_counts[row]
    children = [add_up(tree, leaf_counts, child) for child in tree[row]]
    return {column: sum(child[column] for child in children) for column in children[0]}


def attrition_table(rng, offices=(2, 4)):
    """Like the attrition table: per row, enrolled = neither + pre_only + post_only +
    paired, and every column also adds up over overall -> regions -> offices."""
    tree = region_tree(rng, 3, offices)
    rows = rows_of(tree)
    offices_only = [row for row in rows if row not in tree]
    leaf_counts = {office: {c: draw_count(rng) for c in COLUMNS} for office in offices_only}
    values = {}
    for row in rows:
        counts = add_up(tree, leaf_counts, row)
        values[(row, "enrolled")] = sum(counts.values())
        values.update({(row, column): counts[column] for column in COLUMNS})
    relations = [((row, "enrolled"), [(row, c) for c in COLUMNS]) for row in rows]
    for column in ("enrolled", *COLUMNS):
        by_column = {(p, column): [(c, column) for c in kids] for p, kids in tree.items()}
        relations += hierarchy_relations(by_column)
    return CountTable(values, relations)


def hierarchy_table(rng):
    """overall -> 2 to 5 regions -> 1 to 5 offices each, one count per office."""
    tree = region_tree(rng, rng.randint(2, 5), (1, 5))
    rows = rows_of(tree)
    leaf_counts = {row: {"n": draw_count(rng)} for row in rows if row not in tree}
    values = {row: add_up(tree, leaf_counts, row)["n"] for row in rows}
    return CountTable(values, hierarchy_relations(tree))


def assert_safe(table, hidden, k):
    unknown = hidden | table.unpublished
    assert not hidden & table.unpublished
    shown = [cell for cell in table.values if cell not in unknown]
    assert all(table.values[cell] == 0 or table.values[cell] >= k for cell in shown)
    assert recoverable(table, hidden) == set()
    for total, parts in table.relations:
        hidden_parts = [part for part in parts if part in unknown]
        if total not in unknown and hidden_parts:
            assert len(hidden_parts) >= 2
            assert sum(table.values[part] for part in hidden_parts) >= k
        if total in unknown and any(table.values[part] for part in parts):
            assert any(table.values[part] for part in hidden_parts)
    assert_not_pinned_down(table, hidden)


def assert_not_pinned_down(table, hidden):
    """Each hidden cell could take more than one value, by linear programming over
    the non-negative reals with the shown cells fixed.

    A cell is settled as soon as some feasible point gives it a value other than its
    true one, since then its feasible minimum and maximum differ. A few programmes
    with random objectives (kept inside a generous box so that they stay bounded)
    settle most cells at once; any cell left gets its own minimum and maximum.
    """
    unknown = [cell for cell in table.values if cell in hidden or cell in table.unpublished]
    if not unknown:
        return
    a_eq, b_eq = equations(table, unknown)
    truth = np.array([table.values[cell] for cell in unknown])
    unsettled = [i for i, cell in enumerate(unknown) if cell in hidden]
    box = (0, 2 * max(table.values.values()) + 1)
    objectives = np.random.default_rng(0)
    for _ in range(3):
        objective = objectives.uniform(-1, 1, len(unknown))
        result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=box)
        assert result.status == 0
        unsettled = [i for i in unsettled if abs(result.x[i] - truth[i]) < 1e-6]
    for i in unsettled:
        low, high = feasible_range(a_eq, b_eq, i)
        assert high - low > 1e-6, unknown[i]


def equations(table, unknown):
    """The relations as A x = b in the unknown cells, shown cells moved to b."""
    column = {cell: i for i, cell in enumerate(unknown)}
    a_eq, b_eq = [], []
    for total, parts in table.relations:
        row, known = np.zeros(len(unknown)), 0
        for cell, sign in [(total, 1), *[(part, -1) for part in parts]]:
            if cell in column:
                row[column[cell]] = sign
            else:
                known -= sign * table.values[cell]
        if row.any():
            a_eq.append(row)
            b_eq.append(known)
    return np.array(a_eq), np.array(b_eq)


def feasible_range(a_eq, b_eq, index):
    """The smallest and largest value the unknown at ``index`` can take."""
    objective = np.zeros(a_eq.shape[1])
    objective[index] = 1
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None))
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None))
    assert low.status == 0
    assert high.status in (0, 3)  # 3: unbounded above
    return low.fun, (np.inf if high.status == 3 else -high.fun)


def test_random_attrition_tables():
    rng = random.Random(20240601)
    for _ in range(300):
        table = attrition_table(rng)
        assert_safe(table, suppress(table, K), K)


def test_random_attrition_tables_with_single_office_regions():
    rng = random.Random(17)
    for _ in range(100):
        table = attrition_table(rng, offices=(1, 3))
        assert_safe(table, suppress(table, K), K)


def test_random_hierarchies():
    rng = random.Random(99)
    for _ in range(300):
        table = hierarchy_table(rng)
        assert_safe(table, suppress(table, K), K)


def test_random_tables_with_unpublished_cells():
    rng = random.Random(5)
    for _ in range(100):
        table = attrition_table(rng)
        cells = list(table.values)
        table.unpublished = set(rng.sample(cells, 3))
        hidden = suppress(table, K)
        assert_safe(table, hidden, K)
