"""Time the long CSV export against the database's own CSV output of the same query.

    .venv/bin/python bench/export_long.py [--coaches 45000] [--seed 1] [--runs 2]

    # PostgreSQL: the database is created, migrated and seeded if it is not already
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coach_academy_export_bench \\
        .venv/bin/python bench/export_long.py

Without DATABASE_URL it uses the SQLite file ``var/export-bench.sqlite3``. The
database is kept between runs (seeding 45,000 coaches takes minutes); ``--reseed``
starts the cohort again.

Each run times, in this order:

1. the baseline: on PostgreSQL ``COPY (<the export's query>) TO STDOUT WITH (FORMAT
   csv, HEADER)`` through psycopg into a file, with the export's staging tables
   already built; on SQLite the ``sqlite3`` command-line tool (``.mode csv``) writing
   the same query to a file, with the staging tables in an attached database;
2. ``manage.py export_responses --format long`` in a child process, from start-up to
   exit, and its peak memory (the child's own high-water resident set size, VmHWM
   from /proc: Linux only).

Needs: the ``sqlite3`` command-line tool for the SQLite baseline (Debian/Ubuntu:
``apt-get install sqlite3``); a PostgreSQL server for the PostgreSQL run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
SQLITE_FILE = VAR / "export-bench.sqlite3"
HELPERS_FILE = VAR / "export-bench-helpers.sqlite3"
KEY = "project-a"  # a key of config.settings.test


def environment() -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env.setdefault("DATABASE_URL", f"sqlite:///{SQLITE_FILE}")
    return env


def create_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}")


def prepare(coaches: int, seed: int, reseed: bool) -> dict:
    """Migrate, load the curriculum and seed the cohort, unless already done."""
    from django.core.management import call_command

    from assessments.models import ItemAnswer, QuestionResponse
    from content.curriculum import load_curriculum
    from content.models import ModulePage
    from evaluation.cohort import clear_cohort, seed_cohort, synthetic_users

    call_command("migrate", verbosity=0)
    if not ModulePage.objects.exists():
        load_curriculum()
    have = synthetic_users().count()
    if reseed or have != coaches:
        if have:
            print(f"Clearing {have} synthetic coaches")
            clear_cohort()
        print(f"Seeding {coaches} coaches (seed {seed}); this takes a few minutes")
        print(seed_cohort(coaches, seed).line())
    return {
        "coaches": synthetic_users().count(),
        "item_answers": ItemAnswer.objects.count(),
        "quiz_responses": QuestionResponse.objects.count(),
    }


def lines_in(path: Path) -> int:
    count = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


# Runs manage.py in the child and reports the child's own peak resident memory
# (VmHWM belongs to the process's memory map, so, unlike ru_maxrss, it does not
# include the parent's memory inherited through fork and exec).
RUNNER = """
import runpy, sys
sys.argv = ["manage.py", *sys.argv[1:]]
try:
    runpy.run_path("manage.py", run_name="__main__")
finally:
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM:"))
    print("peak-kib", peak.split()[1], file=sys.stderr)
"""


def run_export(env: dict, output: Path) -> tuple[float, float, str]:
    """Seconds from start-up to exit, the child's peak memory in MB, and the
    command's own line."""
    command = [
        sys.executable,
        "-c",
        RUNNER,
        "export_responses",
        "--format",
        "long",
        "--key",
        KEY,
        "--output",
        str(output),
    ]
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 fixed arguments
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"export_responses failed: {result.stderr.strip()}")
    peak = next(
        int(line.split()[1]) for line in result.stderr.splitlines() if line.startswith("peak-kib")
    )
    return seconds, peak / 1024, result.stdout.strip()


def postgres_baseline(output: Path) -> tuple[float, int]:
    from django.db import connection

    from evaluation.exports.catalogue import load_catalogue
    from evaluation.exports.extract import Extract
    from evaluation.exports.request import make_request

    request = make_request(format="long", key_id=KEY)
    with Extract(request, load_catalogue(request.module_ids)) as extract:
        sql = extract.long_sql()
        started = time.perf_counter()
        with connection.cursor() as cursor, open(output, "wb") as out:
            raw = cursor.cursor
            with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                for data in copy:
                    out.write(data)
            rows = raw.rowcount
        return time.perf_counter() - started, rows


def sqlite_baseline(output: Path, database: Path) -> tuple[float, int]:
    from django.db import connection

    from evaluation.exports.catalogue import load_catalogue
    from evaluation.exports.extract import Extract
    from evaluation.exports.request import make_request

    tool = shutil.which("sqlite3")
    if tool is None:
        sys.exit(
            "The SQLite baseline needs the sqlite3 command-line tool: install it "
            "(Debian/Ubuntu: apt-get install sqlite3) and run again."
        )
    HELPERS_FILE.unlink(missing_ok=True)
    request = make_request(format="long", key_id=KEY)
    with connection.cursor() as cursor:
        cursor.execute(f"ATTACH DATABASE '{HELPERS_FILE}' AS h")
    try:
        # The staging tables as ordinary tables in an attached file, so the tool
        # can read them; the query names them h.export_enrolment and so on.
        extract = Extract(request, load_catalogue(request.module_ids), schema="h")
        extract.prepare()
        sql = extract.long_sql()
        script = f".headers on\n.mode csv\n.output {output}\n{sql};\n"
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 fixed arguments
            [tool, "-cmd", f"ATTACH DATABASE '{HELPERS_FILE}' AS h", str(database)],
            input=script,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DETACH DATABASE h")
        HELPERS_FILE.unlink(missing_ok=True)
    return seconds, lines_in(output) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coaches", type=int, default=45000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    env = environment()
    os.environ.update(env)
    VAR.mkdir(exist_ok=True)
    url = env["DATABASE_URL"]
    if url.startswith("postgres"):
        create_postgres_database(url)

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    counts = prepare(args.coaches, args.seed, args.reseed)
    vendor = connection.vendor
    print(
        f"{vendor}: {counts['coaches']} coaches, {counts['item_answers']} item answers, "
        f"{counts['quiz_responses']} quiz responses"
    )
    baseline_file = VAR / "export-bench-baseline.csv"
    export_file = VAR / "export-bench-export.csv"
    baselines, exports, peaks = [], [], []
    for run in range(1, args.runs + 1):
        if vendor == "postgresql":
            seconds, rows = postgres_baseline(baseline_file)
            name = "raw COPY through psycopg"
        else:
            database = Path(connection.settings_dict["NAME"])
            connection.close()
            seconds, rows = sqlite_baseline(baseline_file, database)
            name = "sqlite3 tool, .mode csv"
        baselines.append(seconds)
        print(f"run {run}: {name}: {seconds:.1f} s, {rows} rows")
        connection.close()
        seconds, peak, line = run_export(env, export_file)
        exported = lines_in(export_file) - 1
        exports.append(seconds)
        peaks.append(peak)
        print(f"run {run}: export_responses --format long: {seconds:.1f} s, peak {peak:.0f} MB")
        print(f"        {line}")
        if exported != rows:
            sys.exit(f"Row counts differ: baseline {rows}, export {exported}")
    if vendor == "postgresql" and baseline_file.read_bytes() == export_file.read_bytes():
        print("The export's file and the raw COPY's file are byte for byte the same.")
    baseline, export = statistics.median(baselines), statistics.median(exports)
    target = 2 if vendor == "postgresql" else 3
    print(
        f"median: baseline {baseline:.1f} s, export {export:.1f} s, ratio {export / baseline:.2f}"
        f" (target at most {target}), peak memory {max(peaks):.0f} MB"
        + (" (target under 150 MB)" if vendor == "postgresql" else "")
    )
    baseline_file.unlink(missing_ok=True)
    export_file.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
