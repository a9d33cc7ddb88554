"""A report as plain, rounded figures: the one form the evaluator pages, the JSON and
the text output of ``evaluation_report`` are all made from, so they always agree.

Every list is flat, one object per group and item (or scale, or question), so it
loads straight into a data frame. Suppressed figures are the string ``"[c]"``.
Rounding: means, medians, changes and their intervals to 2 decimal places;
percentages to 1; effect sizes to 2; p-values to 3 significant figures.
"""

from __future__ import annotations

from common.disclosure import SUPPRESSED

from .report import ATTRITION, GroupReport, Report, iter_groups

ZERO_HANDLING = (
    "Wilcoxon signed-rank test, two-sided, with Pratt's method: pairs with no change "
    "are ranked with the others and then left out of the test statistic; the "
    "rank-biserial correlation counts their ranks in its denominator."
)


def r2(value):
    return None if value is None else round(value, 2)


def r1(value):
    return None if value is None else round(value, 1)


def p3(value):
    return None if value is None else float(f"{value:.3g}")


def hide(figures: dict, keep: tuple = ()) -> dict:
    """Every figure replaced by "[c]", apart from the labels in ``keep``."""
    return {key: (value if key in keep else SUPPRESSED) for key, value in figures.items()}


def _change(prefix: str, change) -> dict:
    return {
        f"{prefix}": r2(change.mean_change) if change else None,
        f"{prefix}_ci_low": r2(change.ci_low) if change else None,
        f"{prefix}_ci_high": r2(change.ci_high) if change else None,
    }


ITEM_LABELS = ("group", "item_key", "statement", "competency", "reverse_coded")


def item_figures(group: GroupReport) -> list[dict]:
    rows = []
    for item in group.items:
        change = item.change
        row = {
            "group": group.label,
            "item_key": item.item_key,
            "statement": item.statement,
            "competency": item.competency,
            "reverse_coded": item.reverse_coded,
            "n_pairs": item.n_pairs,
            "mean_pre": r2(change.mean_before) if change else None,
            "median_pre": r2(change.median_before) if change else None,
            "mean_post": r2(change.mean_after) if change else None,
            "median_post": r2(change.median_after) if change else None,
            "mean_then": r2(item.mean_then),
            "median_then": r2(item.median_then),
            "mean_change": r2(change.mean_change) if change else None,
            "ci_low": r2(change.ci_low) if change else None,
            "ci_high": r2(change.ci_high) if change else None,
            "percent_improved": r1(item.percent(change.improved)) if change else None,
            "percent_same": r1(item.percent(change.same)) if change else None,
            "percent_worse": r1(item.percent(change.worse)) if change else None,
            "wilcoxon_p": p3(item.wilcoxon_p),
            "rank_biserial": r2(item.rank_biserial),
            **_change("then_minus_pre", item.shift_then_pre),
            **_change("post_minus_then", item.shift_post_then),
            "post_minus_then_wilcoxon_p": p3(item.shift_post_then_p),
            "n_follow_up": item.n_follow_up,
            "mean_follow_up": r2(item.mean_follow_up),
            "median_follow_up": r2(item.median_follow_up),
            "distribution_pre": {str(s.value): r1(s.percent) for s in item.distribution_pre},
            "distribution_post": {str(s.value): r1(s.percent) for s in item.distribution_post},
        }
        if item.suppressed:
            row = hide(row, ITEM_LABELS)
        elif item.follow_up_suppressed:
            for key in ("n_follow_up", "mean_follow_up", "median_follow_up"):
                row[key] = SUPPRESSED
        rows.append(row)
    return rows


def scale_figures(group: GroupReport) -> list[dict]:
    rows = []
    for scale in group.scales:
        change, test = scale.change, scale.test
        shift_test = scale.shift_post_then_test
        row = {
            "group": group.label,
            "scale": scale.key,
            "label": scale.label,
            "items": scale.items,
            "n": scale.n,
            "mean_pre": r2(change.mean_before) if change else None,
            "mean_post": r2(change.mean_after) if change else None,
            "mean_then": r2(scale.mean_then),
            "mean_change": r2(change.mean_change) if change else None,
            "ci_low": r2(change.ci_low) if change else None,
            "ci_high": r2(change.ci_high) if change else None,
            "t": r2(test.t) if test else None,
            "p": p3(test.p) if test else None,
            "cohens_dz": r2(test.d_z) if test else None,
            **_change("then_minus_pre", scale.shift_then_pre),
            **_change("post_minus_then", scale.shift_post_then),
            "post_minus_then_p": p3(shift_test.p) if shift_test else None,
            "n_follow_up": scale.n_follow_up,
            "mean_follow_up": r2(scale.mean_follow_up),
        }
        if scale.suppressed:
            row = hide(row, ("group", "scale", "label", "items"))
        elif scale.follow_up_suppressed:
            row["n_follow_up"] = row["mean_follow_up"] = SUPPRESSED
        rows.append(row)
    return rows


def knowledge_figures(group: GroupReport) -> dict:
    knowledge = group.knowledge
    change, test = knowledge.change, knowledge.test
    row = {
        "group": group.label,
        "n_pairs": knowledge.n,
        "mean_percent_pre": r1(change.mean_before) if change else None,
        "mean_percent_post": r1(change.mean_after) if change else None,
        "mean_change": r1(change.mean_change) if change else None,
        "ci_low": r1(change.ci_low) if change else None,
        "ci_high": r1(change.ci_high) if change else None,
        "t": r2(test.t) if test else None,
        "p": p3(test.p) if test else None,
        "cohens_dz": r2(test.d_z) if test else None,
        "wilcoxon_p": p3(knowledge.wilcoxon_p),
    }
    return hide(row, ("group",)) if knowledge.suppressed else row


def question_figures(group: GroupReport) -> list[dict]:
    rows = []
    for question in group.knowledge.questions:
        result = question.result
        row = {
            "group": group.label,
            "question_key": question.question_key,
            "question": question.text,
            "n_pairs": result.n if result else 0,
            "percent_correct_pre": r1(question.percent_before),
            "percent_correct_post": r1(question.percent_after),
            "right_after_only": result.only_after if result else None,
            "right_before_only": result.only_before if result else None,
            "mcnemar_p": p3(result.p) if result else None,
        }
        if question.suppressed:
            row = hide(row, ("group", "question_key", "question"))
        rows.append(row)
    return rows


def reaction_figures(group: GroupReport) -> dict:
    reaction = group.reaction
    row = {
        "group": group.label,
        "n": reaction.n,
        "mean": r2(reaction.mean),
        "median": r2(reaction.median),
        "distribution": {str(s.value): r1(s.percent) for s in reaction.distribution},
    }
    return hide(row, ("group",)) if reaction.suppressed else row


def attrition_figures(group: GroupReport) -> dict:
    return {"group": group.label, **group.attrition}


def report_figures(report: Report) -> dict:
    request = report.request
    groups = list(iter_groups(report))
    return {
        "module": request.module.slug,
        "module_title": request.module.title,
        "survey": report.survey_version.survey.key if report.survey_version else None,
        "survey_version": report.survey_version.number if report.survey_version else None,
        "quiz": report.quiz_version.quiz.key if report.quiz_version else None,
        "quiz_version": report.quiz_version.number if report.quiz_version else None,
        "filters": {
            "since": request.since.isoformat() if request.since else None,
            "until": request.until.isoformat() if request.until else None,
            "region": request.region.name if request.region else None,
            "office": request.office.name if request.office else None,
            "role": request.role,
            "by": request.by,
        },
        "disclosure_threshold": report.k,
        "suppressed": SUPPRESSED,
        "zero_handling": ZERO_HANDLING,
        "scale": {str(value): label for value, label in report.scale_values},
        "attrition": [attrition_figures(group) for group in groups],
        "items": [row for group in groups for row in item_figures(group)],
        "scales": [row for group in groups for row in scale_figures(group)],
        "knowledge": [knowledge_figures(group) for group in groups],
        "questions": [row for group in groups for row in question_figures(group)],
        "reaction": [reaction_figures(group) for group in groups],
    }


# Text -------------------------------------------------------------------------------


def show(value) -> str:
    """One figure as text: "[c]", "–" for a figure that does not exist, p-values
    below 0.001 as "<0.001"."""
    if value is None:
        return "–"
    if value == SUPPRESSED:
        return SUPPRESSED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) >= 0.001 or value == 0 else "<0.001"
    return str(value)


def show_p(value) -> str:
    if isinstance(value, float) and value < 0.001:
        return "<0.001"
    return show(value)


def _table(title: str, rows: list[dict], columns: list[tuple[str, str]]) -> list[str]:
    header = [label for _, label in columns]
    body = [
        [
            show_p(row.get(key)) if key.endswith("_p") or key == "p" else show(row.get(key))
            for key, _ in columns
        ]
        for row in rows
    ]
    widths = [max(len(cell) for cell in column) for column in zip(header, *body, strict=True)]
    lines = [title, "-" * len(title)]
    for cells in [header, *body]:
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        )
    return [*lines, ""]


def report_text(figures: dict) -> str:
    filters = ", ".join(f"{key} {value}" for key, value in figures["filters"].items() if value)
    lines = [
        f"{figures['module_title']} ({figures['module']})",
        f"Survey {figures['survey']} version {figures['survey_version']}; "
        f"quiz {figures['quiz']} version {figures['quiz_version']}",
        f"Filters: {filters or 'none'}",
        f"Figures resting on fewer than {figures['disclosure_threshold']} people, and any that "
        f"would reveal them, are shown as {figures['suppressed']}.",
        "",
    ]
    lines += _table(
        "Attrition",
        figures["attrition"],
        [("group", "Group"), ("enrolled", "Enrolled"), *ATTRITION, ("followed_up", "Followed up")],
    )
    lines += _table(
        "Confidence items (before vs after, paired)",
        figures["items"],
        [
            ("group", "Group"),
            ("item_key", "Item"),
            ("n_pairs", "n"),
            ("mean_pre", "Pre"),
            ("mean_post", "Post"),
            ("mean_then", "Then"),
            ("mean_follow_up", "Follow-up"),
            ("mean_change", "Change"),
            ("ci_low", "95% CI low"),
            ("ci_high", "high"),
            ("percent_improved", "% better"),
            ("percent_same", "% same"),
            ("percent_worse", "% worse"),
            ("wilcoxon_p", "Wilcoxon p"),
            ("rank_biserial", "r"),
        ],
    )
    lines += _table(
        "Response shift",
        figures["items"],
        [
            ("group", "Group"),
            ("item_key", "Item"),
            ("then_minus_pre", "Then − pre"),
            ("then_minus_pre_ci_low", "95% CI low"),
            ("then_minus_pre_ci_high", "high"),
            ("post_minus_then", "Post − then"),
            ("post_minus_then_ci_low", "95% CI low"),
            ("post_minus_then_ci_high", "high"),
            ("post_minus_then_wilcoxon_p", "Wilcoxon p"),
        ],
    )
    lines += _table(
        "Scale scores (mean of items; paired t-test)",
        figures["scales"],
        [
            ("group", "Group"),
            ("label", "Scale"),
            ("n", "n"),
            ("mean_pre", "Pre"),
            ("mean_post", "Post"),
            ("mean_change", "Change"),
            ("ci_low", "95% CI low"),
            ("ci_high", "high"),
            ("t", "t"),
            ("p", "p"),
            ("cohens_dz", "d_z"),
            ("then_minus_pre", "Then − pre"),
            ("post_minus_then", "Post − then"),
        ],
    )
    lines += _table(
        "Knowledge (per cent correct per person, first attempt before and after)",
        figures["knowledge"],
        [
            ("group", "Group"),
            ("n_pairs", "n"),
            ("mean_percent_pre", "Pre %"),
            ("mean_percent_post", "Post %"),
            ("mean_change", "Change"),
            ("ci_low", "95% CI low"),
            ("ci_high", "high"),
            ("p", "t-test p"),
            ("cohens_dz", "d_z"),
        ],
    )
    lines += _table(
        "Quiz questions (McNemar's exact test)",
        figures["questions"],
        [
            ("group", "Group"),
            ("question_key", "Question"),
            ("n_pairs", "n"),
            ("percent_correct_pre", "% right pre"),
            ("percent_correct_post", "% right post"),
            ("mcnemar_p", "McNemar p"),
        ],
    )
    lines += _table(
        "Usefulness rating (1 to 5)",
        figures["reaction"],
        [("group", "Group"), ("n", "n"), ("mean", "Mean"), ("median", "Median")],
    )
    lines.append(figures["zero_handling"])
    return "\n".join(lines) + "\n"
