"""Time one module's evaluation report over a synthetic cohort of 20,000 coaches.

    .venv/bin/python bench/evaluation_report.py [--coaches N] [--seed S] [--runs R]

Uses ``config.settings.test``: an in-memory SQLite database, or a fresh
``test_<name>`` PostgreSQL database when DATABASE_URL names one. The database is
created (migrated), the curriculum loaded and the cohort seeded; then, for every
module, ``build_report`` plus ``report_figures`` (everything the evaluator's module
page and ``evaluation_report`` compute, without the cache) is timed ``--runs`` times
with no breakdown and with each breakdown. The database is destroyed afterwards.
Prints the median and the slowest run of each.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coaches", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from content.curriculum import load_curriculum
    from content.models import ModulePage
    from evaluation.report import ReportRequest, build_report
    from evaluation.serialise import report_figures

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        load_curriculum()
        out = io.StringIO()
        call_command(
            "seed_cohort", "--coaches", str(args.coaches), "--seed", str(args.seed), stdout=out
        )
        print(out.getvalue().strip())
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
        print(f"{connection.vendor}: {args.runs} runs each, seconds (median / slowest)")
        for module in ModulePage.objects.live().order_by("path"):
            for by in (None, "region", "office", "role"):
                request = ReportRequest(module=module, by=by)
                times = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    figures = report_figures(build_report(request))
                    times.append(time.perf_counter() - started)
                paired = figures["attrition"][0]["paired"]
                print(
                    f"  {module.slug:32} by {by or '-':7} paired {paired:>6}  "
                    f"{statistics.median(times):.2f} / {max(times):.2f}"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
