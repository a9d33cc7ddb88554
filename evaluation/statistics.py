"""The statistics behind the evaluation figures, computed with SciPy.

The database hands over frequency tables (how many people gave each combination of
answers), never rows about people; :func:`expand` turns a frequency table back into
the paired arrays SciPy expects. Every function here is pure: numbers in, numbers
out, and ``None`` where a figure does not exist (for example a p-value when nobody
changed their answer).

How zero differences are handled
    Single confidence items are ordinal, so change on an item is tested with the
    Wilcoxon signed-rank test using Pratt's method (``zero_method="pratt"``): people
    whose answer did not change take part in the ranking of absolute differences and
    are then dropped from the test statistic. The p-value is exact when there are
    no zero or tied differences and at most 50 pairs, and otherwise comes from the
    normal approximation with a correction for ties. The matched-pairs rank-biserial
    correlation uses the same ranking: r = (sum of the ranks of improvements − sum of
    the ranks of declines) / (sum of all ranks, zeros included), so it runs from −1
    (everyone worse) to +1 (everyone better) and shrinks towards 0 as more people stay
    the same.

Scale scores (the mean of a competency's items for one person) are treated as
interval data: a paired t-test (``scipy.stats.ttest_rel``) with Cohen's d_z, the mean
difference divided by the standard deviation of the differences.

Quiz questions are right or wrong, so change on a question is tested with McNemar's
exact test: a two-sided binomial test (``scipy.stats.binomtest``) of the people who
got the question right only after the module against those right only before it.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


def expand(values, counts) -> np.ndarray:
    """A frequency table as one value per person."""
    return np.repeat(np.asarray(values, dtype=float), np.asarray(counts, dtype=np.int64))


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def median(values: np.ndarray) -> float | None:
    return float(np.median(values)) if values.size else None


@dataclass(frozen=True)
class Change:
    """Paired change from ``before`` to ``after`` for the same people."""

    n: int
    mean_before: float | None
    mean_after: float | None
    median_before: float | None
    median_after: float | None
    mean_change: float | None
    ci_low: float | None
    ci_high: float | None
    improved: int
    same: int
    worse: int


def paired_change(before: np.ndarray, after: np.ndarray) -> Change:
    """Means, medians, the mean change with its 95% confidence interval and how many
    went up, stayed the same and went down. The interval is the t-based one that
    ``ttest_rel(...).confidence_interval()`` gives: mean ± t(0.975, n − 1) × SE,
    with the quantile from ``scipy.stats.t``."""
    n = int(before.size)
    diff = after - before
    low = high = None
    change = mean(diff)
    if n >= 2:
        spread = float(diff.std(ddof=1))
        half_width = _t_quantile(n - 1) * spread / math.sqrt(n)
        low, high = change - half_width, change + half_width
    return Change(
        n=n,
        mean_before=mean(before),
        mean_after=mean(after),
        median_before=median(before),
        median_after=median(after),
        mean_change=change,
        ci_low=low,
        ci_high=high,
        improved=int((diff > 0).sum()),
        same=int((diff == 0).sum()),
        worse=int((diff < 0).sum()),
    )


@functools.lru_cache(maxsize=4096)
def _t_quantile(degrees_of_freedom: int) -> float:
    return float(stats.t.ppf(0.975, degrees_of_freedom))


def wilcoxon_p(before: np.ndarray, after: np.ndarray) -> float | None:
    """Two-sided Wilcoxon signed-rank p-value, zeros handled by Pratt's method. None
    when there is no change to test (every difference is zero) or too few pairs.

    With no zero differences, no tied absolute differences and at most 50 pairs the
    p-value comes from the exact null distribution; otherwise from the normal
    approximation with SciPy's tie correction and no continuity correction. (Left to
    choose, SciPy would run a slow permutation test for 13 or fewer pairs with ties,
    and answers on a 5-point scale almost always tie.)"""
    diff = after - before
    if diff.size < 2 or not np.any(diff):
        return None
    magnitudes = np.abs(diff)
    untied = np.unique(magnitudes).size == magnitudes.size
    method = "exact" if diff.size <= 50 and untied and np.all(diff) else "approx"
    result = stats.wilcoxon(diff, zero_method="pratt", alternative="two-sided", method=method)
    return _finite(result.pvalue)


def rank_biserial(before: np.ndarray, after: np.ndarray) -> float | None:
    """Matched-pairs rank-biserial correlation, zeros ranked as in Pratt's method."""
    diff = after - before
    if not diff.size:
        return None
    ranks = stats.rankdata(np.abs(diff))
    total = ranks.sum()
    if not total:
        return None
    return float((ranks[diff > 0].sum() - ranks[diff < 0].sum()) / total)


@dataclass(frozen=True)
class PairedT:
    t: float | None
    p: float | None
    d_z: float | None


def paired_t(before: np.ndarray, after: np.ndarray) -> PairedT:
    """Paired t-test (``ttest_rel``) and Cohen's d_z = mean difference / SD of the
    differences. None where the differences do not vary."""
    diff = after - before
    if diff.size < 2 or np.ptp(diff) == 0:
        return PairedT(None, None, None)
    result = stats.ttest_rel(after, before)
    return PairedT(
        t=_finite(result.statistic),
        p=_finite(result.pvalue),
        d_z=float(diff.mean() / diff.std(ddof=1)),
    )


@dataclass(frozen=True)
class McNemar:
    n: int
    correct_before: int
    correct_after: int
    only_after: int  # wrong before, right after
    only_before: int  # right before, wrong after
    p: float | None


def mcnemar(both: int, only_before: int, only_after: int, neither: int) -> McNemar:
    """McNemar's exact test on a 2×2 table of the same people before and after."""
    discordant = only_before + only_after
    p = None
    if discordant:
        p = _finite(stats.binomtest(only_after, discordant, 0.5).pvalue)
    return McNemar(
        n=both + only_before + only_after + neither,
        correct_before=both + only_before,
        correct_after=both + only_after,
        only_after=only_after,
        only_before=only_before,
        p=p,
    )
