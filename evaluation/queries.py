"""The database side of the evaluation figures: frequency tables, counted in SQL.

Every query here groups people by a *group key* (their office, or their role) and
returns counts of combinations of answers, never a row per person. The people come
from :func:`population`: enrolments on one module, in a date range, without anyone
who has opted out of evaluation use. Answers are joined to them by user and module,
and only within one instrument version, so answers to different versions or items
are never paired.

Each function runs one query; :func:`fetch` runs them all (six queries, whatever the
number of coaches).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Case, Exists, OuterRef, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import Role
from learning.models import Enrolment
from learning.services import opted_out_user_ids

#: The group key of people whose account has no office.
NO_OFFICE = 0
#: The roles people are counted under, in order; anyone in neither group is "Other".
ROLES = [Role.WORK_COACH.value, Role.TEAM_LEADER.value, "Other"]


@dataclass(frozen=True)
class Scope:
    """Whose answers count: one module, one survey version and one quiz version,
    people who started the module between ``since`` and ``until`` (inclusive, UK
    dates), grouped by office or by role."""

    module_id: int
    survey_version_id: int | None
    quiz_version_id: int | None
    since: date | None = None
    until: date | None = None
    group_by: str = "office"  # or "role"


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def population(scope: Scope):
    """Enrolments in scope as ``(user_id, grp)``, as a queryset (it is compiled into
    the SQL below, so it never runs on its own)."""
    enrolments = Enrolment.objects.filter(module_id=scope.module_id).exclude(
        user_id__in=opted_out_user_ids()
    )
    if scope.since:
        enrolments = enrolments.filter(started_at__gte=_midnight(scope.since))
    if scope.until:
        enrolments = enrolments.filter(started_at__lt=_midnight(scope.until + timedelta(days=1)))
    if scope.group_by == "role":

        def member_of(role: Role):
            return Exists(
                Group.user_set.through.objects.filter(
                    user_id=OuterRef("user_id"), group__name=role.value
                )
            )

        grp = Case(
            When(member_of(Role.TEAM_LEADER), then=Value(Role.TEAM_LEADER.value)),
            When(member_of(Role.WORK_COACH), then=Value(Role.WORK_COACH.value)),
            default=Value("Other"),
        )
    else:
        grp = Coalesce("user__office_id", Value(NO_OFFICE))
    return enrolments.annotate(grp=grp).values("user_id", "grp", "reaction_rating")


def _run(sql: str, params: list) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Enough memory to sort and group the pivot without spilling to disk,
            # for this statement's transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()


# One statement computes every frequency table, so the people in scope are worked
# out once (``MATERIALIZED``: SQLite 3.35+ and PostgreSQL 12+ keep the result rather
# than re-running it for each use). Each part returns rows of the same shape:
# (part, grp, number key, text key, v1 … v8, people), padded with NULLs. The first
# part types its NULLs, as PostgreSQL settles each column's type from left to right.
_PARTS = {
    # Who answered the survey version before, after and at follow-up.
    "attrition": """
    SELECT 'attrition', grp, CAST(NULL AS BIGINT), CAST(NULL AS TEXT), has_pre, has_post,
        has_fu, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
        CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), COUNT(*)
    FROM answered
    GROUP BY grp, has_pre, has_post, has_fu""",
    # Each item's answers at every timepoint, for people who answered it both
    # before and after the module.
    "items": """
    SELECT 'items', grp, item_id, NULL, pre, post, thn, fu, NULL, NULL, NULL, NULL, COUNT(*)
    FROM pivot
    WHERE pre IS NOT NULL AND post IS NOT NULL
    GROUP BY grp, item_id, pre, post, thn, fu""",
    # Each person's total over a competency's items (reverse-coded items scored the
    # other way round), counted by combination.
    "scales": """
    SELECT 'scales', grp, items, competency, n_then, n_fu, sum_pre, sum_post, sum_then,
        sum_fu, NULL, NULL, COUNT(*)
    FROM person
    GROUP BY grp, competency, items, n_then, n_fu, sum_pre, sum_post, sum_then, sum_fu""",
    # The same over all of the survey's items (competency NULL).
    "scales_all": """
    SELECT 'scales', grp, items, NULL, n_then, n_fu, sum_pre, sum_post, sum_then, sum_fu,
        NULL, NULL, COUNT(*)
    FROM (
        SELECT grp, SUM(items) AS items, SUM(n_then) AS n_then, SUM(n_fu) AS n_fu,
            SUM(sum_pre) AS sum_pre, SUM(sum_post) AS sum_post, SUM(sum_then) AS sum_then,
            SUM(sum_fu) AS sum_fu
        FROM person
        GROUP BY grp, user_id
    ) everyone
    GROUP BY grp, items, n_then, n_fu, sum_pre, sum_post, sum_then, sum_fu""",
    # Quiz scores before and after, for people who took the quiz version both times.
    "quiz_people": """
    SELECT 'quiz_people', grp, NULL, NULL, pre_score, post_score, max_score,
        NULL, NULL, NULL, NULL, NULL, COUNT(*)
    FROM paired
    GROUP BY grp, pre_score, post_score, max_score""",
    # Each quiz question right or wrong before and after, for the same people.
    "quiz_questions": """
    SELECT 'quiz_questions', grp, question_id, NULL, pre_correct, post_correct,
        NULL, NULL, NULL, NULL, NULL, NULL, COUNT(*)
    FROM questions
    GROUP BY grp, question_id, pre_correct, post_correct""",
    # The usefulness rating given after the module.
    "reactions": """
    SELECT 'reactions', grp, reaction_rating, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, COUNT(*)
    FROM people
    WHERE reaction_rating IS NOT NULL
    GROUP BY grp, reaction_rating""",
}

_CTES = """
people AS MATERIALIZED ({people}),
answered AS (
    SELECT people.grp AS grp, people.user_id AS user_id,
        MAX(CASE WHEN r.timepoint = 'pre' THEN 1 ELSE 0 END) AS has_pre,
        MAX(CASE WHEN r.timepoint = 'post' THEN 1 ELSE 0 END) AS has_post,
        MAX(CASE WHEN r.timepoint = 'follow_up' THEN 1 ELSE 0 END) AS has_fu
    FROM people
    -- "+": look each person up by user (the unique index), not by version.
    LEFT JOIN assessments_surveyresponse r
        ON r.user_id = people.user_id AND r.module_id = %s AND +r.version_id = %s
    GROUP BY people.grp, people.user_id
),
pivot AS MATERIALIZED (
    SELECT people.grp AS grp, r.user_id AS user_id, a.item_id AS item_id,
        MAX(CASE WHEN a.timepoint = 'pre' THEN a.value END) AS pre,
        MAX(CASE WHEN a.timepoint = 'post' THEN a.value END) AS post,
        MAX(CASE WHEN a.timepoint = 'then' THEN a.value END) AS thn,
        MAX(CASE WHEN a.timepoint = 'follow_up' THEN a.value END) AS fu
    FROM assessments_itemanswer a
    JOIN assessments_surveyresponse r ON r.id = a.response_id
    JOIN people ON people.user_id = r.user_id
    WHERE r.module_id = %s AND r.version_id = %s
    GROUP BY people.grp, r.user_id, a.item_id
),
person AS MATERIALIZED (
    SELECT pivot.grp AS grp, pivot.user_id AS user_id, i.competency AS competency,
        COUNT(*) AS items, COUNT(pivot.thn) AS n_then, COUNT(pivot.fu) AS n_fu,
        SUM({pre}) AS sum_pre, SUM({post}) AS sum_post,
        SUM({thn}) AS sum_then, SUM({fu}) AS sum_fu
    FROM pivot JOIN assessments_surveyitem i ON i.id = pivot.item_id
    WHERE pivot.pre IS NOT NULL AND pivot.post IS NOT NULL
    GROUP BY pivot.grp, pivot.user_id, i.competency
),
-- Knowledge: the baseline attempt and the first attempt after the module. Retakes
-- after a fail are practice with feedback, so they do not measure learning.
attempts AS (
    SELECT people.grp AS grp, q.user_id AS user_id, q.id AS id, q.timepoint AS timepoint,
        q.score AS score, q.max_score AS max_score
    FROM assessments_quizattempt q
    JOIN people ON people.user_id = q.user_id
    WHERE q.module_id = %s AND q.version_id = %s AND q.number = 1
        AND q.timepoint IN ('pre', 'post')
),
paired AS MATERIALIZED (
    SELECT grp, user_id,
        MAX(CASE WHEN timepoint = 'pre' THEN id END) AS pre_id,
        MAX(CASE WHEN timepoint = 'post' THEN id END) AS post_id,
        MAX(CASE WHEN timepoint = 'pre' THEN score END) AS pre_score,
        MAX(CASE WHEN timepoint = 'post' THEN score END) AS post_score,
        MAX(max_score) AS max_score
    FROM attempts
    GROUP BY grp, user_id
    HAVING COUNT(*) = 2
),
-- Each question right or wrong at both attempts, one row per person and question.
questions AS (
    SELECT attempts.grp AS grp, r.question_id AS question_id,
        MAX(CASE WHEN attempts.timepoint = 'pre' AND r.is_correct THEN 1 ELSE 0 END)
            AS pre_correct,
        MAX(CASE WHEN attempts.timepoint = 'post' AND r.is_correct THEN 1 ELSE 0 END)
            AS post_correct
    FROM attempts
    JOIN assessments_questionresponse r ON r.attempt_id = attempts.id
    GROUP BY attempts.grp, attempts.user_id, r.question_id
    HAVING COUNT(*) = 2
)"""


@dataclass
class Frequencies:
    """Everything one report needs from the database."""

    attrition: list[tuple] = field(default_factory=list)
    items: list[tuple] = field(default_factory=list)
    scales: list[tuple] = field(default_factory=list)
    quiz_people: list[tuple] = field(default_factory=list)
    quiz_questions: list[tuple] = field(default_factory=list)
    reactions: list[tuple] = field(default_factory=list)


def fetch(scope: Scope, scale_min: int = 1, scale_max: int = 5) -> Frequencies:
    """Run the one statement and sort its rows into their tables."""
    people_sql, people_params = population(scope).query.sql_with_params()

    def scored(column: str) -> str:
        # Reverse-coded items are scored the other way round: min + max - value.
        return (
            f"CASE WHEN i.reverse_coded THEN {int(scale_min) + int(scale_max)} - pivot.{column} "
            f"ELSE pivot.{column} END"
        )

    ctes = _CTES.format(
        people=people_sql,
        pre=scored("pre"),
        post=scored("post"),
        thn=scored("thn"),
        fu=scored("fu"),
    )
    sql = f"WITH {ctes}\n" + "\nUNION ALL\n".join(_PARTS.values())
    survey = scope.survey_version_id or 0
    quiz = scope.quiz_version_id or 0
    params = [*people_params, *[scope.module_id, survey] * 2, scope.module_id, quiz]
    frequencies = Frequencies()
    for row in _run(sql, params):
        getattr(frequencies, row[0]).append(row[1:])
    return frequencies
