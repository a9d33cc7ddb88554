"""Production settings refuse to start without their required variables."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS")
ROOT = Path(__file__).resolve().parents[2]
FULL_ENV = {
    "SECRET_KEY": "x" * 60,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/coach_academy",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "coach-academy.example",
}


def run_check(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in FULL_ENV}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_stops_naming_the_missing_variable(missing):
    env = {k: v for k, v in FULL_ENV.items() if k != missing}
    result = run_check(env)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    first_line = result.stderr.strip()
    assert first_line.startswith("Coach Academy cannot start")
    assert missing in first_line


def test_production_names_every_missing_variable_at_once():
    result = run_check({})
    first_line = result.stderr.strip().splitlines()[0]
    assert result.returncode != 0
    for name in REQUIRED:
        assert name in first_line


def test_production_starts_with_everything_set():
    result = run_check(FULL_ENV)
    assert result.returncode == 0, result.stderr


def test_production_rejects_a_non_postgres_database():
    result = run_check({**FULL_ENV, "DATABASE_URL": "sqlite:////tmp/x.sqlite3"})
    assert result.returncode != 0
    assert "DATABASE_URL must be PostgreSQL" in result.stderr


def test_dev_settings_use_wal_sqlite_and_in_process_tasks():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings.dev';"
        "from django.conf import settings as s;"
        "o=s.DATABASES['default'];"
        "print(o['ENGINE'], 'journal_mode=WAL' in o['OPTIONS']['init_command'],"
        " o['OPTIONS']['timeout'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "20",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]
