"""Getting the answers out of the database, in constant memory.

Everything that is known per person or per item is worked out in Python first and
written to a few small temporary tables:

``export_enrolment``  one row per enrolment in the export: the person's pid (HMAC of
                      the user id, see ``evaluation.pseudonymise``), region, office
                      after the small-office roll-up, role, module, and the days the
                      module was started and completed; ``sort`` orders the rows by
                      pid and module.
``export_item``       every survey statement of every version: instrument, version,
                      item key, wording, scale; ``export_label`` its value labels.
``export_question``   every quiz question of every version, likewise.
``export_tz``         (SQLite only) when the UK clocks change, to turn a time into a
                      UK date in SQL.

Those tables hold one row per enrolment or item, never per answer, and are filled in
batches, so the Python side stays small however many answers there are. Text in them
has already been through ``neutralise``. One SQL query then joins them to the answer
tables; on PostgreSQL it runs as ``COPY (…) TO STDOUT WITH (FORMAT csv, HEADER)`` and
the CSV is copied to the file as it arrives, elsewhere a cursor is read in batches
into ``csv.writer``. Opted-out people are never in ``export_enrolment``, so none of
their answers can be joined.
"""

from __future__ import annotations

import csv
import io
import re
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from accounts.models import Office
from accounts.roles import Role
from assessments.models import ItemAnswer, QuestionResponse, QuizAttempt, SurveyResponse
from common.spreadsheets import neutralise
from evaluation.pseudonymise import PID_LENGTH, pid_function
from learning.models import Enrolment
from learning.services import opted_out_user_ids

from .catalogue import Catalogue
from .request import ExportError, ExportRequest

BATCH = 2000
NOT_RECORDED = "Not recorded"
LONG_COLUMNS = [
    "pid",
    "region",
    "office",
    "role",
    "module",
    "instrument",
    "instrument_version",
    "timepoint",
    "item_key",
    "item_text",
    "value",
    "value_label",
    "scale_min",
    "scale_max",
    "submitted_on",
    "days_since_enrolment",
]

Progress = Callable[[float], None]


def rolled_up_office(region: str, k: int) -> str:
    return f"{region} (offices with fewer than {k} people in this export)"


def role_name(is_leader: bool, is_coach: bool) -> str:
    if is_leader:
        return Role.TEAM_LEADER.value
    if is_coach:
        return Role.WORK_COACH.value
    return "Other"


def utc_offsets(tzinfo, first_year: int, last_year: int) -> list[tuple[datetime, int]]:
    """(UTC time from which it applies, offset in seconds) for a time zone: every
    change between the two years, found by stepping six hours and then halving."""
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(tzinfo).utcoffset().total_seconds())

    changes = [(datetime(1, 1, 1, tzinfo=UTC), offset(start))]
    step = timedelta(hours=6)
    moment, current = start, offset(start)
    while moment < end:
        following = moment + step
        value = offset(following)
        if value != current:
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            changes.append((high.replace(microsecond=0), value))
            current = value
        moment = following
    return changes


class Extract:
    """The temporary tables for one export and the queries over them. Use as a
    context manager: the tables are made on entry and dropped on exit."""

    def __init__(
        self,
        request: ExportRequest,
        catalogue: Catalogue,
        *,
        using: str = DEFAULT_DB_ALIAS,
        schema: str | None = None,
    ):
        self.request = request
        self.catalogue = catalogue
        self.connection = connections[using]
        self.postgres = self.connection.vendor == "postgresql"
        # An attached SQLite database to build the tables in, instead of temporary
        # tables (the benchmark uses it so the sqlite3 tool can run the same query).
        self.schema = schema
        self.k = settings.EVALUATION_DISCLOSURE_K
        self.enrolments = 0
        self.people = 0
        self._created: list[str] = []

    # Tables ---------------------------------------------------------------------

    def name(self, table: str) -> str:
        if self.schema and not self.postgres:
            return f"{self.schema}.{table}"
        return table

    def _create(self, table: str, columns: str) -> None:
        if self.postgres:
            sql = f"CREATE TEMPORARY TABLE {table} ({columns})"
        else:
            sql = f"CREATE TABLE {self.schema or 'temp'}.{table} ({columns})"
        self._execute(f"DROP TABLE IF EXISTS {self.name(table)}")
        self._execute(sql)
        self._created.append(table)

    def _execute(self, sql: str, params=None) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)

    def _insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["?"] * len(columns))
                sql = f"INSERT INTO {self.name(table)} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 fixed names
                cursor.cursor.executemany(sql, rows)

    def __enter__(self) -> Extract:
        try:
            self.prepare()
        except BaseException:
            self.drop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.drop()

    def drop(self) -> None:
        for table in reversed(self._created):
            try:
                self._execute(f"DROP TABLE IF EXISTS {self.name(table)}")
            except Exception:  # noqa: BLE001,S110 an aborted transaction drops them anyway
                pass
        self._created = []

    def prepare(self, progress: Progress | None = None) -> None:
        self._fill_items()
        self._fill_enrolments(progress)
        if not self.postgres:
            self._fill_time_zone()

    # Items ----------------------------------------------------------------------

    def _fill_items(self) -> None:
        item_columns = (
            "item_id BIGINT PRIMARY KEY, instrument TEXT, instrument_version INTEGER,"
            " item_key TEXT, item_text TEXT, scale_min INTEGER, scale_max INTEGER,"
            " inst_sort INTEGER, position INTEGER"
        )
        self._create("export_item", item_columns)
        self._create("export_question", item_columns.replace("item_id", "question_id", 1))
        self._create(
            "export_label",
            "item_id BIGINT, value INTEGER, label TEXT, PRIMARY KEY (item_id, value)",
        )
        names = [
            "instrument",
            "instrument_version",
            "item_key",
            "item_text",
            "scale_min",
            "scale_max",
            "inst_sort",
            "position",
        ]

        def row(item):
            return (
                item.id,
                item.instrument.key,
                item.version,
                item.item_key,
                item.text,
                item.scale_min,
                item.scale_max,
                item.instrument.sort,
                item.position,
            )

        surveys = self.catalogue.survey_items.values()
        self._insert("export_item", ["item_id", *names], [row(i) for i in surveys])
        self._insert(
            "export_question",
            ["question_id", *names],
            [row(i) for i in self.catalogue.quiz_items.values()],
        )
        self._insert(
            "export_label",
            ["item_id", "value", "label"],
            [(item.id, value, label) for item in surveys for value, label in item.labels.items()],
        )

    # People ---------------------------------------------------------------------

    def enrolment_queryset(self):
        request = self.request
        queryset = Enrolment.objects.filter(module_id__in=request.module_ids)
        if request.since_datetime:
            queryset = queryset.filter(started_at__gte=request.since_datetime)
        if request.until_datetime:
            queryset = queryset.filter(started_at__lt=request.until_datetime)
        return queryset.exclude(user_id__in=opted_out_user_ids())

    def _fill_enrolments(self, progress: Progress | None) -> None:
        self._create(
            "export_enrolment_raw",
            f"user_id BIGINT, module_id BIGINT, pid VARCHAR({PID_LENGTH}), region TEXT,"
            " office TEXT, role TEXT, module TEXT, started_on DATE, completed_on DATE,"
            " reaction INTEGER",
        )
        queryset = self.enrolment_queryset()
        k = self.k
        people_per_office = dict(
            queryset.order_by()
            .values_list("user__office_id")
            .annotate(n=Count("user_id", distinct=True))
        )
        offices: dict[int | None, tuple[str, str]] = {None: (NOT_RECORDED, NOT_RECORDED)}
        for pk, office, region in Office.objects.values_list("pk", "name", "region__name"):
            region = neutralise(region)
            shown = neutralise(office)
            if people_per_office.get(pk, 0) < k:
                shown = rolled_up_office(region, k)
            offices[pk] = (region, shown)
        modules = {pk: neutralise(slug) for pk, slug in self.catalogue.modules}
        memberships = get_user_model().groups.through.objects.filter(user_id=OuterRef("user_id"))
        rows = (
            queryset.annotate(
                is_leader=Exists(memberships.filter(group__name=Role.TEAM_LEADER.value)),
                is_coach=Exists(memberships.filter(group__name=Role.WORK_COACH.value)),
            )
            .order_by()
            .values_list(
                "user_id",
                "module_id",
                "user__office_id",
                "started_at",
                "completed_at",
                "reaction_rating",
                "is_leader",
                "is_coach",
            )
        )
        pid = pid_function(self.request.key_id)
        local = timezone.localdate
        columns = [
            "user_id",
            "module_id",
            "pid",
            "region",
            "office",
            "role",
            "module",
            "started_on",
            "completed_on",
            "reaction",
        ]
        iso = not self.postgres  # SQLite stores dates as ISO text
        batch: list[tuple] = []
        people: set[int] = set()
        for (
            user_id,
            module_id,
            office_id,
            started,
            completed,
            reaction,
            leader,
            coach,
        ) in rows.iterator(chunk_size=BATCH):
            region, office = offices.get(office_id, offices[None])
            started_on = local(started)
            completed_on = local(completed) if completed else None
            if iso:
                started_on = started_on.isoformat()
                completed_on = completed_on.isoformat() if completed_on else None
            batch.append(
                (
                    user_id,
                    module_id,
                    pid(user_id),
                    region,
                    office,
                    role_name(leader, coach),
                    modules[module_id],
                    started_on,
                    completed_on,
                    reaction,
                )
            )
            people.add(user_id)
            if len(batch) >= BATCH:
                self._insert("export_enrolment_raw", columns, batch)
                self.enrolments += len(batch)
                batch = []
        self._insert("export_enrolment_raw", columns, batch)
        self.enrolments += len(batch)
        self.people = len(people)
        del people

        collate = ' COLLATE "C"' if self.postgres else ""
        self._create_as(
            "export_enrolment",
            f"SELECT row_number() OVER (ORDER BY pid{collate}, module{collate}) AS sort, "  # noqa: S608 fixed names
            f"{', '.join(columns)} FROM {self.name('export_enrolment_raw')}",
        )
        self._index("export_enrolment", "user_id, module_id", unique=True)
        self._execute(f"DROP TABLE {self.name('export_enrolment_raw')}")
        self._created.remove("export_enrolment_raw")
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), COUNT(DISTINCT pid) FROM {self.name('export_enrolment')}"  # noqa: S608
            )
            (count, pids) = cursor.fetchone()
            cursor.execute(
                "SELECT COUNT(DISTINCT user_id)"  # noqa: S608 fixed names
                f" FROM {self.name('export_enrolment')}"
            )
            (users,) = cursor.fetchone()
        if pids != users:
            raise ExportError(
                "Two people were given the same pid under this key; choose another key."
            )
        if self.postgres:
            for table in ("export_enrolment", "export_item", "export_question", "export_label"):
                self._execute(f"ANALYZE {table}")

    def _create_as(self, table: str, select: str) -> None:
        self._execute(f"DROP TABLE IF EXISTS {self.name(table)}")
        if self.postgres:
            self._execute(f"CREATE TEMPORARY TABLE {table} AS {select}")
        else:
            self._execute(f"CREATE TABLE {self.schema or 'temp'}.{table} AS {select}")
        self._created.append(table)

    def _index(self, table: str, columns: str, unique: bool = False) -> None:
        kind = "UNIQUE INDEX" if unique else "INDEX"
        name = f"{table}_index"
        if self.postgres:
            self._execute(f"CREATE {kind} {name} ON {table} ({columns})")
        else:
            self._execute(f"CREATE {kind} {self.schema or 'temp'}.{name} ON {table} ({columns})")

    def _fill_time_zone(self) -> None:
        self._create("export_tz", "from_utc TEXT PRIMARY KEY, modifier TEXT")
        now = timezone.now()
        changes = utc_offsets(zoneinfo.ZoneInfo(settings.TIME_ZONE), 1990, now.year + 2)
        self._insert(
            "export_tz",
            ["from_utc", "modifier"],
            [
                (moment.strftime("%Y-%m-%d %H:%M:%S").rjust(19, "0"), f"{offset:+d} seconds")
                for moment, offset in changes
            ],
        )

    # SQL ------------------------------------------------------------------------

    def _local_date(self, column: str) -> str:
        if self.postgres:
            zone = settings.TIME_ZONE
            if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", zone):  # pragma: no cover
                raise ExportError(f"Unusable TIME_ZONE {zone!r}.")
            return f"(({column}) AT TIME ZONE '{zone}')::date"
        tz = self.name("export_tz")
        return (
            f"date({column}, (SELECT z.modifier FROM {tz} z WHERE z.from_utc <= {column}"  # noqa: S608
            " ORDER BY z.from_utc DESC LIMIT 1))"
        )

    def _days(self, later: str, earlier: str) -> str:
        if self.postgres:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    @staticmethod
    def _timepoint_order(column: str) -> str:
        return f"CASE {column} WHEN 'pre' THEN 1 WHEN 'post' THEN 2 WHEN 'then' THEN 3 ELSE 4 END"

    def _tables(self) -> dict[str, str]:
        q = self.connection.ops.quote_name
        return {
            "answer": q(ItemAnswer._meta.db_table),
            "response": q(SurveyResponse._meta.db_table),
            "question_response": q(QuestionResponse._meta.db_table),
            "attempt": q(QuizAttempt._meta.db_table),
            "enrolment": self.name("export_enrolment"),
            "item": self.name("export_item"),
            "question": self.name("export_question"),
            "label": self.name("export_label"),
        }

    def _chosen_attempts(self) -> str:
        """The attempt that speaks for each timepoint: the first. Retakes after the
        module come after feedback on the answers, so they measure practice; the
        evaluation figures use the same rule."""
        t = self._tables()
        return (
            "(SELECT user_id, module_id, quiz_id, timepoint,"  # noqa: S608 fixed names
            " MIN(number) AS number, MAX(number) AS attempts"
            f" FROM {t['attempt']} GROUP BY user_id, module_id, quiz_id, timepoint)"
        )

    def long_sql(self) -> str:
        t = self._tables()
        survey_date = self._local_date("r.submitted_at")
        quiz_date = self._local_date("t.submitted_at")
        people = "e.pid, e.region, e.office, e.role, e.module"
        return (
            f"SELECT {', '.join(LONG_COLUMNS)} FROM ("  # noqa: S608 fixed names, no input
            f"SELECT e.sort AS s1, i.inst_sort AS s2, i.instrument_version AS s3,"
            f" {self._timepoint_order('a.timepoint')} AS s4, i.position AS s5, {people},"
            " i.instrument, i.instrument_version, a.timepoint, i.item_key, i.item_text,"
            " a.value, l.label AS value_label, i.scale_min, i.scale_max,"
            f" {survey_date} AS submitted_on,"
            f" {self._days(survey_date, 'e.started_on')} AS days_since_enrolment"
            f" FROM {t['answer']} a"
            f" JOIN {t['response']} r ON r.id = a.response_id"
            f" JOIN {t['enrolment']} e ON e.user_id = r.user_id AND e.module_id = r.module_id"
            f" JOIN {t['item']} i ON i.item_id = a.item_id"
            f" LEFT JOIN {t['label']} l ON l.item_id = a.item_id AND l.value = a.value"
            " UNION ALL "
            f"SELECT e.sort, q.inst_sort, q.instrument_version,"
            f" {self._timepoint_order('t.timepoint')}, q.position, {people},"
            " q.instrument, q.instrument_version, t.timepoint, q.item_key, q.item_text,"
            " CASE WHEN qr.is_correct THEN 1 ELSE 0 END,"
            " CASE WHEN qr.is_correct THEN 'Correct' ELSE 'Incorrect' END, 0, 1,"
            f" {quiz_date}, {self._days(quiz_date, 'e.started_on')}"
            f" FROM {t['question_response']} qr"
            f" JOIN {t['attempt']} t ON t.id = qr.attempt_id"
            f" JOIN {self._chosen_attempts()} c ON c.user_id = t.user_id"
            " AND c.module_id = t.module_id AND c.quiz_id = t.quiz_id"
            " AND c.timepoint = t.timepoint AND c.number = t.number"
            f" JOIN {t['enrolment']} e ON e.user_id = t.user_id AND e.module_id = t.module_id"
            f" JOIN {t['question']} q ON q.question_id = qr.question_id"
            ") x ORDER BY s1, s2, s3, s4, s5"
        )

    def wide_sql(self) -> str:
        """(enrolment sort, 0 for a statement or 1 for a question, item or question
        id, timepoint, value, attempts made at that timepoint) for every exported
        answer."""
        t = self._tables()
        return (
            "SELECT e.sort, 0, a.item_id, a.timepoint, a.value, 0"  # noqa: S608 fixed names
            f" FROM {t['answer']} a"
            f" JOIN {t['response']} r ON r.id = a.response_id"
            f" JOIN {t['enrolment']} e ON e.user_id = r.user_id AND e.module_id = r.module_id"
            f" JOIN {t['item']} i ON i.item_id = a.item_id"
            " UNION ALL "
            "SELECT e.sort, 1, qr.question_id, t.timepoint,"
            " CASE WHEN qr.is_correct THEN 1 ELSE 0 END, c.attempts"
            f" FROM {t['question_response']} qr"
            f" JOIN {t['attempt']} t ON t.id = qr.attempt_id"
            f" JOIN {self._chosen_attempts()} c ON c.user_id = t.user_id"
            " AND c.module_id = t.module_id AND c.quiz_id = t.quiz_id"
            " AND c.timepoint = t.timepoint AND c.number = t.number"
            f" JOIN {t['enrolment']} e ON e.user_id = t.user_id AND e.module_id = t.module_id"
            f" JOIN {t['question']} q ON q.question_id = qr.question_id"
        )

    def count_long(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({self.wide_sql()}) n")  # noqa: S608 fixed names
            return cursor.fetchone()[0]

    # Reading --------------------------------------------------------------------

    def write_long_csv(self, out, progress: Progress | None = None, total: int = 0) -> int:
        """Write the long file's CSV (UTF-8, header first) to the binary file ``out``;
        return the number of data rows."""
        sql = self.long_sql()
        every = 50_000
        if self.postgres:
            rows = 0
            with self.connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                    write = out.write
                    for n, data in enumerate(copy, start=1):
                        write(data)
                        if progress and total and n % every == 0:
                            progress(min(1.0, n / total))
                rows = raw.rowcount
            return rows
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
        try:
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(LONG_COLUMNS)
            rows = 0
            with self.connection.cursor() as cursor:
                raw = cursor.cursor
                raw.execute(sql)
                fetch = raw.fetchmany
                while batch := fetch(5000):
                    writer.writerows(batch)
                    rows += len(batch)
                    if progress and total and rows % every < 5000:
                        progress(min(1.0, rows / total))
            text.flush()
        finally:
            text.detach()
        return rows

    def wide_answers(self) -> Iterator[tuple]:
        cursor = self.connection.chunked_cursor()
        try:
            cursor.execute(self.wide_sql())
            while batch := cursor.fetchmany(5000):
                yield from batch
        finally:
            cursor.close()

    def enrolment_rows(self) -> list[tuple]:
        """(sort, pid, region, office, role, module, started_on, completed_on,
        reaction) per enrolment, in pid then module order."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT sort, pid, region, office, role, module, started_on, completed_on,"  # noqa: S608
                f" reaction FROM {self.name('export_enrolment')} ORDER BY sort"
            )
            return cursor.fetchall()
