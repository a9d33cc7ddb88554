"""Tests for the evaluation statistics (``evaluation.statistics``).

Every expected value here comes by a different route from the code under test:
worked by hand in the comments, or recomputed with plain Python (loops, ``math``,
``fractions`` and the ``statistics`` module). SciPy is used only for distribution
quantiles and tail areas (``t.ppf`` and ``t.sf``), never for the test itself.

A note on which Wilcoxon p-value the code returns. ``wilcoxon_p`` does not leave
the choice to SciPy's ``method="auto"`` (which would run a sign-flip permutation
test for n <= 13 with ties or zeros); it passes ``method`` itself, with
``zero_method="pratt"`` and SciPy's default ``correction=False``:

* n <= 50 with no zero differences and no tied |d|: ``method="exact"``, the exact
  null distribution of T+;
* otherwise (any zero, any tie, or n > 50): ``method="approx"`` (SciPy's alias for
  "asymptotic"), the normal approximation with tie correction and no continuity
  correction.

Under Pratt's method the normal approximation has mean
(n(n+1)/2 - n0(n0+1)/2) / 2 and variance
(n(n+1)(2n+1) - n0(n0+1)(2n0+1)) / 24 - sum(t**3 - t) / 48, where n0 is the number
of zero differences and the tie correction runs over the tie groups of non-zero |d|
only (SciPy zeroes the tie count of the group of zeros). There is no continuity
correction. The helpers below mirror these rules independently: ``pratt_normal_p``
for the normal approximation and ``sign_flip_p`` for the exact distribution (which,
without ties or zeros, is the distribution of T+ over all 2**n sign patterns).
"""

import itertools
import math
import random
import statistics as pystats
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from evaluation.statistics import (
    expand,
    mcnemar,
    paired_change,
    paired_t,
    rank_biserial,
    wilcoxon_p,
)

TOL = {"rel": 1e-9, "abs": 1e-12}


# Independent helpers --------------------------------------------------------------


def average_ranks(values):
    """Ranks 1..n of ``values``, tied values sharing the average of their ranks."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        # Positions start..end (0-based) hold ranks start+1..end+1.
        shared = (start + 1 + end + 1) / 2
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def signed_rank_sums(diffs):
    """T+, T- and the sum of all ranks, zeros ranked as in Pratt's method."""
    ranks = average_ranks([abs(d) for d in diffs])
    t_plus = sum(r for r, d in zip(ranks, diffs, strict=True) if d > 0)
    t_minus = sum(r for r, d in zip(ranks, diffs, strict=True) if d < 0)
    return t_plus, t_minus, sum(ranks)


def pratt_normal_p(diffs):
    """Two-sided Pratt signed-rank p-value by the normal approximation, no
    continuity correction, ties corrected over non-zero |d| only."""
    n = len(diffs)
    n0 = sum(1 for d in diffs if d == 0)
    t_plus, _, _ = signed_rank_sums(diffs)
    mean_t = (n * (n + 1) / 2 - n0 * (n0 + 1) / 2) / 2
    groups = Counter(abs(d) for d in diffs if d != 0)
    variance = (n * (n + 1) * (2 * n + 1) - n0 * (n0 + 1) * (2 * n0 + 1)) / 24 - sum(
        t**3 - t for t in groups.values()
    ) / 48
    z = (t_plus - mean_t) / math.sqrt(variance)
    # Two-sided normal tail: 2 * (1 - Phi(|z|)) = erfc(|z| / sqrt(2)).
    return math.erfc(abs(z) / math.sqrt(2))


def sign_flip_p(diffs):
    """Exact two-sided p-value of T+ over every assignment of signs to the non-zero
    differences (zeros have no sign to flip), as an exact fraction."""
    ranks = average_ranks([abs(d) for d in diffs])
    nonzero = [Fraction(r) for r, d in zip(ranks, diffs, strict=True) if d != 0]
    observed = sum(r for r, d in zip(ranks, diffs, strict=True) if d > 0)
    at_most = at_least = 0
    patterns = list(itertools.product((False, True), repeat=len(nonzero)))
    for signs in patterns:
        total = sum((r for r, positive in zip(nonzero, signs, strict=True) if positive), 0)
        at_most += total <= observed
        at_least += total >= observed
    return min(Fraction(2 * min(at_most, at_least), len(patterns)), Fraction(1))


def mcnemar_exact_p(only_before, only_after):
    """Two-sided exact McNemar p: twice the smaller binomial tail, at most 1."""
    m = only_before + only_after
    k = min(only_before, only_after)
    tail = Fraction(sum(math.comb(m, i) for i in range(k + 1)), 2**m)
    return min(2 * tail, Fraction(1))


def t_interval(diffs):
    """Textbook 95% interval: mean +/- t_{0.975, n-1} * sd / sqrt(n)."""
    n = len(diffs)
    centre = pystats.mean(diffs)
    half = stats.t.ppf(0.975, n - 1) * pystats.stdev(diffs) / math.sqrt(n)
    return centre - half, centre + half


def arrays(before, after):
    return np.array(before, dtype=float), np.array(after, dtype=float)


# Worked example 1: ten people on a 1-5 Likert item --------------------------------
#
#   person  before  after   d
#     1       2       4    +2
#     2       3       4    +1
#     3       3       3     0
#     4       1       3    +2
#     5       4       3    -1
#     6       2       3    +1
#     7       3       3     0
#     8       2       5    +3
#     9       4       4     0
#    10       3       2    -1
#
# |d| sorted: 0 0 0 | 1 1 1 1 | 2 2 | 3
#   zeros (persons 3, 7, 9) take ranks 1-3, average 2
#   |d| = 1 (persons 2, 5, 6, 10) take ranks 4-7, average 5.5
#   |d| = 2 (persons 1, 4) take ranks 8-9, average 8.5
#   |d| = 3 (person 8) takes rank 10
# T+ = 5.5 + 5.5 + 8.5 + 8.5 + 10 = 38   (persons 2, 6, 1, 4, 8)
# T- = 5.5 + 5.5 = 11                     (persons 5, 10)
# zeros contribute 3 * 2 = 6; all ranks sum to 38 + 11 + 6 = 55 = 10 * 11 / 2
# rank-biserial r = (38 - 11) / 55 = 27/55
#
# sum d = 7, mean change = 0.7
# sum d^2 = 4 + 1 + 0 + 4 + 1 + 1 + 0 + 9 + 0 + 1 = 21
# SS = 21 - 10 * 0.7^2 = 16.1, variance = 16.1 / 9 = 161/90, sd = sqrt(161/90)
# sd / sqrt(10) = sqrt(161/900) = sqrt(161) / 30
# t = 0.7 / (sqrt(161) / 30) = 21 / sqrt(161), with 9 degrees of freedom
# d_z = 0.7 / sqrt(161/90)
# 95% CI = 0.7 -/+ t_{0.975,9} * sqrt(161) / 30
# improved 5 (50%), same 3 (30%), worse 2 (20%)
# before: sum 27, mean 2.7, sorted 1 2 2 2 3 | 3 3 3 4 4, median 3
# after:  sum 34, mean 3.4, sorted 2 3 3 3 3 | 3 4 4 4 5, median 3
#
# Wilcoxon p: there are zeros and ties, so the code uses the normal approximation.
# n = 10, n0 = 3 zeros.
# mean of T+ under H0 = (10 * 11 / 2 - 3 * 4 / 2) / 2 = (55 - 6) / 2 = 24.5
# variance = (10 * 11 * 21 - 3 * 4 * 7) / 24 - [(4^3 - 4) + (2^3 - 2)] / 48
#          = (2310 - 84) / 24 - (60 + 6) / 48
#          = 92.75 - 1.375 = 91.375
# (the tie groups are the four |d| = 1 and the two |d| = 2; the three zeros are
# left out of the tie correction)
# z = (38 - 24.5) / sqrt(91.375) = 13.5 / 9.55903... = 1.41228...
# p = 2 * (1 - Phi(z)) = erfc(z / sqrt(2)) = 0.157868...
# (For comparison, the exact sign-flip permutation p, which SciPy's
# method="auto" would have returned here, is 7/32 = 0.21875: of the 2**7 = 128
# sign patterns of the non-zero ranks 5.5 x 4, 8.5 x 2, 10, fourteen have
# T- <= 11.)

LIKERT_BEFORE = [2, 3, 3, 1, 4, 2, 3, 2, 4, 3]
LIKERT_AFTER = [4, 4, 3, 3, 3, 3, 3, 5, 4, 2]


def test_worked_likert_rank_sums_by_hand():
    diffs = [a - b for b, a in zip(LIKERT_BEFORE, LIKERT_AFTER, strict=True)]
    assert diffs == [2, 1, 0, 2, -1, 1, 0, 3, 0, -1]
    assert average_ranks([abs(d) for d in diffs]) == [8.5, 5.5, 2, 8.5, 5.5, 5.5, 2, 10, 2, 5.5]
    assert signed_rank_sums(diffs) == (38, 11, 55)


def test_worked_likert_rank_biserial():
    before, after = arrays(LIKERT_BEFORE, LIKERT_AFTER)
    assert rank_biserial(before, after) == pytest.approx(float(Fraction(27, 55)), **TOL)


def test_worked_likert_wilcoxon_normal_approximation():
    before, after = arrays(LIKERT_BEFORE, LIKERT_AFTER)
    diffs = [a - b for b, a in zip(LIKERT_BEFORE, LIKERT_AFTER, strict=True)]
    z = 13.5 / math.sqrt(91.375)
    by_hand = math.erfc(z / math.sqrt(2))
    assert z == pytest.approx(1.41228, abs=1e-5)
    assert by_hand == pytest.approx(0.157868, abs=1e-6)
    assert pratt_normal_p(diffs) == pytest.approx(by_hand, **TOL)
    assert wilcoxon_p(before, after) == pytest.approx(by_hand, **TOL)
    # Not the sign-flip permutation p that SciPy's method="auto" would give.
    assert sign_flip_p(diffs) == Fraction(7, 32)
    assert wilcoxon_p(before, after) != pytest.approx(7 / 32, abs=1e-3)


def test_worked_likert_paired_change():
    before, after = arrays(LIKERT_BEFORE, LIKERT_AFTER)
    change = paired_change(before, after)
    half = stats.t.ppf(0.975, 9) * math.sqrt(161) / 30
    assert change.n == 10
    assert change.mean_before == pytest.approx(2.7, **TOL)
    assert change.mean_after == pytest.approx(3.4, **TOL)
    assert change.median_before == 3.0
    assert change.median_after == 3.0
    assert change.mean_change == pytest.approx(0.7, **TOL)
    assert change.ci_low == pytest.approx(0.7 - half, **TOL)
    assert change.ci_high == pytest.approx(0.7 + half, **TOL)
    # The textbook figure to four places, as a reader would check it in a table.
    assert (round(change.ci_low, 4), round(change.ci_high, 4)) == (-0.2568, 1.6568)
    assert (change.improved, change.same, change.worse) == (5, 3, 2)
    assert [100 * k / change.n for k in (change.improved, change.same, change.worse)] == [
        50.0,
        30.0,
        20.0,
    ]


def test_worked_likert_paired_t():
    before, after = arrays(LIKERT_BEFORE, LIKERT_AFTER)
    result = paired_t(before, after)
    t = 21 / math.sqrt(161)
    assert result.t == pytest.approx(t, **TOL)
    assert result.p == pytest.approx(2 * stats.t.sf(t, 9), **TOL)
    assert result.d_z == pytest.approx(0.7 / math.sqrt(161 / 90), **TOL)
    # And again from the statistics module rather than the closed forms above.
    diffs = [a - b for b, a in zip(LIKERT_BEFORE, LIKERT_AFTER, strict=True)]
    sd = pystats.stdev(diffs)
    assert result.t == pytest.approx(pystats.mean(diffs) / (sd / math.sqrt(10)), **TOL)
    assert result.d_z == pytest.approx(pystats.mean(diffs) / sd, **TOL)


# Worked example 2: twenty people, given as a frequency table ----------------------
#
#   before  after  count   d
#     3       3      3     0
#     4       4      2     0
#     2       3      4    +1
#     3       4      2    +1
#     4       3      2    -1
#     1       3      2    +2
#     2       4      2    +2
#     5       3      1    -2
#     2       5      2    +3
#
# n = 20, n0 = 5 zeros.
# |d| = 0: 5 people, ranks 1-5, average 3
# |d| = 1: 8 people (6 up, 2 down), ranks 6-13, average 9.5
# |d| = 2: 5 people (4 up, 1 down), ranks 14-18, average 16
# |d| = 3: 2 people (both up), ranks 19-20, average 19.5
# T+ = 6 * 9.5 + 4 * 16 + 2 * 19.5 = 57 + 64 + 39 = 160
# T- = 2 * 9.5 + 16 = 35;  zeros 5 * 3 = 15;  160 + 35 + 15 = 210 = 20 * 21 / 2
# r = (160 - 35) / 210 = 25/42
#
# There are zeros and ties, so the code uses the normal approximation.
# mean of T+ under H0 = (20 * 21 / 2 - 5 * 6 / 2) / 2 = (210 - 15) / 2 = 97.5
# variance = (20 * 21 * 41 - 5 * 6 * 11) / 24 - [(8^3 - 8) + (5^3 - 5) + (2^3 - 2)] / 48
#          = (17220 - 330) / 24 - (504 + 120 + 6) / 48
#          = 703.75 - 13.125 = 690.625
# (the five zeros are a tie group too, but Pratt's correction leaves them out)
# z = (160 - 97.5) / sqrt(690.625) = 62.5 / 26.27975... = 2.37826...
# p = 2 * (1 - Phi(z)) = erfc(z / sqrt(2)) = 0.017395...

TABLE_BEFORE = [3, 4, 2, 3, 4, 1, 2, 5, 2]
TABLE_AFTER = [3, 4, 3, 4, 3, 3, 4, 3, 5]
TABLE_COUNTS = [3, 2, 4, 2, 2, 2, 2, 1, 2]


def table_people():
    """The same twenty people written out one per row."""
    rows = []
    for b, a, k in zip(TABLE_BEFORE, TABLE_AFTER, TABLE_COUNTS, strict=True):
        rows.extend([(b, a)] * k)
    return [b for b, _ in rows], [a for _, a in rows]


def test_worked_table_wilcoxon_normal_approximation():
    before = expand(TABLE_BEFORE, TABLE_COUNTS)
    after = expand(TABLE_AFTER, TABLE_COUNTS)
    assert before.size == 20
    z = 62.5 / math.sqrt(690.625)
    by_hand = math.erfc(z / math.sqrt(2))
    assert z == pytest.approx(2.37826, abs=1e-5)
    assert by_hand == pytest.approx(0.017395, abs=1e-6)
    diffs = (after - before).tolist()
    assert signed_rank_sums(diffs) == (160, 35, 210)
    assert pratt_normal_p(diffs) == pytest.approx(by_hand, **TOL)
    assert wilcoxon_p(before, after) == pytest.approx(by_hand, **TOL)


def test_worked_table_rank_biserial():
    before = expand(TABLE_BEFORE, TABLE_COUNTS)
    after = expand(TABLE_AFTER, TABLE_COUNTS)
    assert rank_biserial(before, after) == pytest.approx(float(Fraction(25, 42)), **TOL)


def test_worked_table_expand_matches_per_person_list():
    people_before, people_after = table_people()
    before = expand(TABLE_BEFORE, TABLE_COUNTS)
    after = expand(TABLE_AFTER, TABLE_COUNTS)
    assert before.tolist() == [float(v) for v in people_before]
    assert after.tolist() == [float(v) for v in people_after]
    explicit_before, explicit_after = arrays(people_before, people_after)
    assert wilcoxon_p(before, after) == wilcoxon_p(explicit_before, explicit_after)
    assert rank_biserial(before, after) == rank_biserial(explicit_before, explicit_after)
    assert paired_change(before, after) == paired_change(explicit_before, explicit_after)
    assert paired_t(before, after) == paired_t(explicit_before, explicit_after)


# Wilcoxon with no ties and no zeros: SciPy's exact null distribution -------------


def test_wilcoxon_exact_distribution_without_ties_or_zeros():
    # Six scale scores, all differences distinct and non-zero and n <= 50, so the
    # code asks SciPy for the exact distribution of T+.
    # d = +0.5, -0.25, +1.0, +0.75, +1.25, +2.0
    # |d| ranks:   2,     1,    4,     3,     5,     6
    # T+ = 2 + 4 + 3 + 5 + 6 = 20, T- = 1.
    # Of the 2**6 = 64 sign patterns, T+ >= 20 only for T- = 0 (1 way) or
    # T- = 1 (1 way), so p = 2 * 2/64 = 1/16.
    before = [3.0, 3.5, 2.0, 2.5, 3.0, 1.5]
    after = [3.5, 3.25, 3.0, 3.25, 4.25, 3.5]
    diffs = [a - b for b, a in zip(before, after, strict=True)]
    assert signed_rank_sums(diffs) == (20, 1, 21)
    assert sign_flip_p(diffs) == Fraction(1, 16)
    assert wilcoxon_p(*arrays(before, after)) == pytest.approx(1 / 16, **TOL)


# McNemar --------------------------------------------------------------------------


def test_mcnemar_textbook_table():
    # 100 people: 59 right both times, 6 right only before, 15 right only after,
    # 20 wrong both times. Discordant pairs: 21, the smaller count 6.
    # P(X <= 6) for X ~ Bin(21, 1/2) = (1 + 21 + 210 + 1330 + 5985 + 20349 + 54264)
    #                                  / 2**21 = 82160 / 2097152
    # p = 2 * 82160 / 2097152 = 10270 / 131072 = 0.07835...
    result = mcnemar(both=59, only_before=6, only_after=15, neither=20)
    expected = mcnemar_exact_p(6, 15)
    assert expected == Fraction(2 * 82160, 2**21)
    assert result.p == pytest.approx(float(expected), **TOL)
    assert result.p == pytest.approx(0.078354, abs=1e-6)
    assert result.n == 100
    assert result.correct_before == 65
    assert result.correct_after == 74
    assert (result.only_before, result.only_after) == (6, 15)


def test_mcnemar_is_symmetric_in_direction():
    # Swapping who improved and who declined leaves the two-sided p unchanged.
    forward = mcnemar(both=10, only_before=2, only_after=9, neither=4)
    backward = mcnemar(both=10, only_before=9, only_after=2, neither=4)
    assert forward.p == pytest.approx(float(mcnemar_exact_p(2, 9)), **TOL)
    assert backward.p == pytest.approx(forward.p, **TOL)


@pytest.mark.parametrize(("only_before", "only_after"), [(4, 4), (3, 4), (0, 1)])
def test_mcnemar_balanced_tables_cap_at_one(only_before, only_after):
    # 4 vs 4: 2 * P(X <= 4 | n = 8) = 2 * 163/256 > 1, so p = 1.
    # 3 vs 4: 2 * P(X <= 3 | n = 7) = 2 * 64/128 = 1.
    # 0 vs 1: 2 * P(X <= 0 | n = 1) = 2 * 1/2 = 1.
    result = mcnemar(both=5, only_before=only_before, only_after=only_after, neither=5)
    assert mcnemar_exact_p(only_before, only_after) == 1
    assert result.p == pytest.approx(1.0, **TOL)


def test_mcnemar_without_discordant_pairs_has_no_p():
    result = mcnemar(both=12, only_before=0, only_after=0, neither=7)
    assert result.p is None
    assert result.n == 19
    assert result.correct_before == 12
    assert result.correct_after == 12
    assert (result.only_before, result.only_after) == (0, 0)


def test_mcnemar_empty_table():
    result = mcnemar(both=0, only_before=0, only_after=0, neither=0)
    assert result.p is None
    assert (result.n, result.correct_before, result.correct_after) == (0, 0, 0)


# Edge cases -----------------------------------------------------------------------


def test_every_difference_zero():
    before, after = arrays([3, 1, 4, 4, 5], [3, 1, 4, 4, 5])
    assert wilcoxon_p(before, after) is None
    # All five |d| = 0 tie at rank 3; T+ = T- = 0, so r = 0 / 15 = 0.
    assert rank_biserial(before, after) == 0.0
    change = paired_change(before, after)
    assert change.mean_change == 0.0
    # Per the code, a constant change has the interval [change, change].
    assert (change.ci_low, change.ci_high) == (0.0, 0.0)
    assert (change.improved, change.same, change.worse) == (0, 5, 0)
    result = paired_t(before, after)
    assert (result.t, result.p, result.d_z) == (None, None, None)


def test_single_pair():
    before, after = arrays([2], [4])
    change = paired_change(before, after)
    assert change.n == 1
    assert change.mean_change == 2.0
    assert (change.ci_low, change.ci_high) == (None, None)
    assert (change.improved, change.same, change.worse) == (1, 0, 0)
    assert wilcoxon_p(before, after) is None
    # One positive difference with rank 1: r = (1 - 0) / 1.
    assert rank_biserial(before, after) == 1.0
    result = paired_t(before, after)
    assert (result.t, result.p, result.d_z) == (None, None, None)


def test_single_pair_without_change():
    before, after = arrays([3], [3])
    assert rank_biserial(before, after) == 0.0
    assert paired_change(before, after).ci_low is None


def test_everyone_up_by_exactly_one():
    # Five people, each +1. |d| all tie at rank 3, T+ = 15, T- = 0, r = 1.
    # The |d| tie, so the code uses the normal approximation (n = 5, no zeros):
    # mean = (5 * 6 / 2) / 2 = 7.5
    # variance = 5 * 6 * 11 / 24 - (5^3 - 5) / 48 = 13.75 - 2.5 = 11.25
    # z = (15 - 7.5) / sqrt(11.25) = 7.5 / sqrt(11.25) = sqrt(56.25 / 11.25) = sqrt(5)
    # p = erfc(sqrt(5) / sqrt(2)) = erfc(sqrt(2.5)) = 0.025347...
    # (The sign-flip permutation p would be 2 * 1/32 = 1/16: only the all-positive
    # pattern of the 2**5 reaches T+ = 15.)
    before, after = arrays([1, 2, 3, 3, 4], [2, 3, 4, 4, 5])
    change = paired_change(before, after)
    assert change.mean_change == 1.0
    assert (change.ci_low, change.ci_high) == (1.0, 1.0)
    assert (change.improved, change.same, change.worse) == (5, 0, 0)
    by_hand = math.erfc(math.sqrt(2.5))
    assert by_hand == pytest.approx(0.025347, abs=1e-6)
    assert pratt_normal_p([1] * 5) == pytest.approx(by_hand, **TOL)
    assert wilcoxon_p(before, after) == pytest.approx(by_hand, **TOL)
    assert rank_biserial(before, after) == 1.0
    # The differences do not vary, so there is no t and no d_z.
    result = paired_t(before, after)
    assert (result.t, result.p, result.d_z) == (None, None, None)


def test_everyone_down_by_one_mirrors_up():
    up = arrays([1, 2, 3, 3, 4], [2, 3, 4, 4, 5])
    down = (up[1], up[0])
    assert rank_biserial(*down) == -1.0
    assert wilcoxon_p(*down) == pytest.approx(wilcoxon_p(*up), **TOL)
    assert (paired_change(*down).ci_low, paired_change(*down).ci_high) == (-1.0, -1.0)


def test_empty_arrays():
    empty = np.array([], dtype=float)
    change = paired_change(empty, empty)
    assert change.n == 0
    assert change.mean_before is None
    assert change.mean_after is None
    assert change.median_before is None
    assert change.median_after is None
    assert change.mean_change is None
    assert (change.ci_low, change.ci_high) == (None, None)
    assert (change.improved, change.same, change.worse) == (0, 0, 0)
    assert wilcoxon_p(empty, empty) is None
    assert rank_biserial(empty, empty) is None
    result = paired_t(empty, empty)
    assert (result.t, result.p, result.d_z) == (None, None, None)


# expand ---------------------------------------------------------------------------


def test_expand_repeats_each_value_by_its_count():
    result = expand([1, 2, 3, 5], [2, 0, 3, 1])
    assert result.dtype == np.float64
    assert result.tolist() == [1.0, 1.0, 3.0, 3.0, 3.0, 5.0]


def test_expand_empty_table():
    result = expand([], [])
    assert result.size == 0
    assert result.dtype == np.float64


def test_expand_all_counts_zero():
    assert expand([1, 2], [0, 0]).size == 0


# A larger example: 200 people from a seeded generator -----------------------------


def simulated_cohort(seed=20240611, n=200):
    rng = random.Random(seed)
    before, after, right_before, right_after = [], [], [], []
    for _ in range(n):
        b = rng.randint(1, 5)
        step = rng.choices([-2, -1, 0, 1, 2], weights=[1, 3, 5, 6, 2])[0]
        before.append(b)
        after.append(min(5, max(1, b + step)))
        first = rng.random() < 0.55
        right_before.append(first)
        right_after.append(first if rng.random() < 0.7 else rng.random() < 0.75)
    return before, after, right_before, right_after


def frequency_route(before, after):
    table = Counter(zip(before, after, strict=True))
    keys = sorted(table)
    return (
        expand([b for b, _ in keys], [table[k] for k in keys]),
        expand([a for _, a in keys], [table[k] for k in keys]),
    )


def test_larger_cohort_routes_agree_with_independent_computation():
    before, after, right_before, right_after = simulated_cohort()
    n = len(before)
    diffs = [a - b for b, a in zip(before, after, strict=True)]
    # The example must exercise zeros, ties and changes both ways.
    assert 0 < diffs.count(0) < n
    assert any(d > 0 for d in diffs) and any(d < 0 for d in diffs)

    per_person = arrays(before, after)
    tabled = frequency_route(before, after)
    assert sorted(zip(*(x.tolist() for x in tabled), strict=True)) == sorted(
        zip(*(x.tolist() for x in per_person), strict=True)
    )

    low, high = t_interval(diffs)
    t_plus, t_minus, total = signed_rank_sums(diffs)
    assert total == n * (n + 1) / 2
    mean_d, sd_d = pystats.mean(diffs), pystats.stdev(diffs)
    t = mean_d / (sd_d / math.sqrt(n))

    for route in (per_person, tabled):
        change = paired_change(*route)
        assert change.n == n
        assert change.mean_before == pytest.approx(pystats.mean(before), **TOL)
        assert change.mean_after == pytest.approx(pystats.mean(after), **TOL)
        assert change.median_before == pystats.median(before)
        assert change.median_after == pystats.median(after)
        assert change.mean_change == pytest.approx(mean_d, **TOL)
        assert change.ci_low == pytest.approx(low, **TOL)
        assert change.ci_high == pytest.approx(high, **TOL)
        assert change.improved == sum(1 for d in diffs if d > 0)
        assert change.same == sum(1 for d in diffs if d == 0)
        assert change.worse == sum(1 for d in diffs if d < 0)

        # n = 200 > 50 (and there are zeros and ties), so the normal approximation.
        assert wilcoxon_p(*route) == pytest.approx(pratt_normal_p(diffs), **TOL)
        assert rank_biserial(*route) == pytest.approx((t_plus - t_minus) / total, **TOL)

        result = paired_t(*route)
        assert result.t == pytest.approx(t, **TOL)
        assert result.p == pytest.approx(2 * stats.t.sf(abs(t), n - 1), **TOL)
        assert result.d_z == pytest.approx(mean_d / sd_d, **TOL)

    both = only_before = only_after = neither = 0
    for first, second in zip(right_before, right_after, strict=True):
        if first and second:
            both += 1
        elif first:
            only_before += 1
        elif second:
            only_after += 1
        else:
            neither += 1
    result = mcnemar(both, only_before, only_after, neither)
    assert result.n == n
    assert result.correct_before == sum(right_before)
    assert result.correct_after == sum(right_after)
    assert (result.only_before, result.only_after) == (only_before, only_after)
    assert result.p == pytest.approx(float(mcnemar_exact_p(only_before, only_after)), **TOL)


@pytest.mark.parametrize(
    ("seed", "expected_diffs", "z"),
    [
        # d = +1 0 0 +1 0 +1 +1 +1: n0 = 3 (ranks 1-3), five |d| = 1 (ranks 4-8,
        # average 6), T+ = 30. mean = (36 - 6) / 2 = 15,
        # variance = (8 * 9 * 17 - 3 * 4 * 7) / 24 - (5^3 - 5) / 48 = 47.5 - 2.5 = 45,
        # z = 15 / sqrt(45) = sqrt(5), p = 0.025347...
        (1, [1, 0, 0, 1, 0, 1, 1, 1], 15 / math.sqrt(45)),
        # d = 0 +2 0 +2 0 +1 +1 0: n0 = 4 (ranks 1-4), |d| = 1 ranks 5-6 (average
        # 5.5), |d| = 2 ranks 7-8 (average 7.5), T+ = 11 + 15 = 26.
        # mean = (36 - 10) / 2 = 13,
        # variance = (8 * 9 * 17 - 4 * 5 * 9) / 24 - (6 + 6) / 48 = 43.5 - 0.25 = 43.25,
        # z = 13 / sqrt(43.25) = 1.97674..., p = 0.048071...
        (2, [0, 2, 0, 2, 0, 1, 1, 0], 13 / math.sqrt(43.25)),
        # d = -1 0 -1 +1 +1 0 0 0: T+ = T- = 2 * 6.5 = 13 = mean, z = 0, p = 1.
        (3, [-1, 0, -1, 1, 1, 0, 0, 0], 0.0),
    ],
)
def test_small_cohorts_with_ties_use_normal_approximation(seed, expected_diffs, z):
    # Eight people with zeros and ties: the code uses the Pratt normal
    # approximation, not a sign-flip permutation test, and the frequency-table
    # and per-person routes agree.
    rng = random.Random(seed)
    before = [rng.randint(1, 5) for _ in range(8)]
    after = [min(5, max(1, b + rng.choice([-1, 0, 1, 1, 2]))) for b in before]
    diffs = [a - b for b, a in zip(before, after, strict=True)]
    assert diffs == expected_diffs
    magnitudes = [abs(d) for d in diffs]
    assert 0 in diffs or len(set(magnitudes)) < len(magnitudes)
    by_hand = math.erfc(z / math.sqrt(2))
    assert pratt_normal_p(diffs) == pytest.approx(by_hand, **TOL)
    route = frequency_route(before, after)
    assert wilcoxon_p(*route) == pytest.approx(by_hand, **TOL)
    assert wilcoxon_p(*arrays(before, after)) == pytest.approx(by_hand, **TOL)
