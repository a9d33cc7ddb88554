"""Time ``manage.py seed_cohort --coaches 20000 --seed 1`` on a fresh test database.

    .venv/bin/python bench/seed_cohort.py [--coaches N] [--seed S]

Uses ``config.settings.test``: an in-memory SQLite database, or a fresh
``test_<name>`` PostgreSQL database when DATABASE_URL names one. The database is
created (migrated), the curriculum loaded, the command timed, and the database
destroyed. Prints the command's own summary line and the wall-clock seconds.
"""

import argparse
import io
import os
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
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from content.curriculum import load_curriculum

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        load_curriculum()
        out = io.StringIO()
        started = time.perf_counter()
        call_command(
            "seed_cohort", "--coaches", str(args.coaches), "--seed", str(args.seed), stdout=out
        )
        seconds = time.perf_counter() - started
        print(out.getvalue().strip())
        print(f"{connection.vendor}: seed_cohort --coaches {args.coaches} took {seconds:.1f} s")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
