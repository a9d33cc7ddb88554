"""``manage.py export_responses``: files, audit rows, and every bad argument refused
with exit status 2, one line, and nothing written."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import load_command_class

from evaluation.models import AuditChangeError, ExportAudit, ExportSource
from learning.models import Enrolment
from tests.evaluation.conftest import expected_long_rows, included_user_ids

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(monkeypatch, capsys):
    """Run the command as ``manage.py`` does (``run_from_argv``), in this process so
    it sees the test database; returns (exit status, stdout, stderr)."""
    from django.db import connections

    # run_from_argv closes every connection when it ends; the test still needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args):
        command = load_command_class("evaluation", "export_responses")
        status = 0
        try:
            command.run_from_argv(["manage.py", "export_responses", *map(str, args)])
        except SystemExit as exc:
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_writes_the_file_and_an_audit_row(world, run, tmp_path):
    output = tmp_path / "long.csv"
    status, out, err = run(
        "--format", "long", "--output", output, "--key", "project-a", "--since", "2000-01-01"
    )
    assert status == 0, err
    assert out.startswith(f"Wrote {output} (long): ")
    frame = pd.read_csv(output, dtype=str, keep_default_na=False)
    assert len(frame) == len(expected_long_rows())
    audit = ExportAudit.objects.get()
    assert audit.source == ExportSource.COMMAND_LINE
    assert audit.actor.startswith("command line")
    assert audit.user is None
    assert audit.format == "long"
    assert audit.key_id == "project-a"
    assert audit.row_count == len(frame)
    assert audit.row_counts == {"long.csv": len(frame)}
    enrolled = Enrolment.objects.filter(user_id__in=included_user_ids())
    assert audit.people == enrolled.values("user_id").distinct().count() >= frame["pid"].nunique()
    assert audit.filters == {
        "modules": "all",
        "started_since": "2000-01-01",
        "started_until": None,
    }
    import hashlib

    assert audit.sha256 == hashlib.sha256(output.read_bytes()).hexdigest()
    assert sorted(os.listdir(tmp_path)) == ["long.csv"]
    assert output.stat().st_mode & 0o777 == 0o600  # personal data: the owner only


def test_an_existing_file_is_replaced_whole(world, run, tmp_path):
    output = tmp_path / "wide.csv"
    output.write_text("old")
    assert run("--format", "wide", "--output", output, "--key", "project-b")[0] == 0
    assert output.read_text().startswith("pid,region,office,role,module")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "pdf"], "Unknown format 'pdf'"),
        (
            ["--format", "long", "--key", "project-a", "--module", "no-such-module"],
            "Unknown module 'no-such-module'",
        ),
        (["--format", "long", "--key", "project-z"], "Unknown key 'project-z'"),
        (["--format", "long", "--key", "project-a", "--since", "2025-13-01"], "--since must be"),
        (["--format", "long", "--key", "project-a", "--until", "yesterday"], "--until must be"),
        (
            [
                "--format",
                "long",
                "--key",
                "project-a",
                "--since",
                "2025-06-02",
                "--until",
                "2025-06-01",
            ],
            "--since (2025-06-02) is after --until (2025-06-01)",
        ),
        (["--format", "long"], "Choose a key with --key"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_and_write_nothing(
    disclosure, run, tmp_path, args, message
):
    output = tmp_path / "out.csv"
    status, out, err = run(*args, "--output", output)
    assert status == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""
    assert os.listdir(tmp_path) == []
    assert not ExportAudit.objects.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "long"], "the following arguments are required: --output"),
        (["--output", "x.csv"], "the following arguments are required: --format"),
        (["--format", "long", "--output", "x.csv", "--colour", "red"], "unrecognized arguments"),
    ],
)
def test_argument_errors_exit_2_with_one_line(disclosure, run, tmp_path, args, message):
    os.chdir(tmp_path)
    status, out, err = run(*args)
    assert status == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == []


def test_unwritable_paths_are_refused(disclosure, run, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cases = [
        (blocker / "out.csv", "does not exist"),
        (tmp_path / "missing" / "out.csv", "does not exist"),
        (tmp_path, "is a folder"),
    ]
    for output, message in cases:
        status, _, err = run("--format", "long", "--key", "project-a", "--output", output)
        assert status == 2 and message in err, err
        assert len(err.strip().splitlines()) == 1
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: False if Path(path) == locked else real_access(path, mode)
    )
    status, _, err = run("--format", "long", "--key", "project-a", "--output", locked / "out.csv")
    assert status == 2 and "is not writable" in err
    assert sorted(os.listdir(tmp_path)) == ["a-file", "locked"]
    assert os.listdir(locked) == []
    assert not ExportAudit.objects.exists()


def test_a_failure_while_building_leaves_no_file_and_no_audit_row(
    world, run, tmp_path, monkeypatch
):
    from evaluation.exports import build

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(build, "write_sav", broken)
    with pytest.raises(RuntimeError):
        run("--format", "sav", "--key", "project-a", "--output", tmp_path / "x.sav")
    assert os.listdir(tmp_path) == []
    assert not ExportAudit.objects.exists()


def test_the_real_command_exits_with_status_2(tmp_path):
    """In a separate process: the exit status the shell sees."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 fixed arguments
        [sys.executable, "manage.py", "export_responses", "--format", "pdf", "--output", "x"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "CommandError: Unknown format 'pdf': choose one of long, wide, codebook, xlsx, sav,"
        " dta, bundle."
    ]
    result = subprocess.run(  # noqa: S603 fixed arguments
        [sys.executable, "manage.py", "export_responses", "--format", "long"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--output" in result.stderr


def test_audit_rows_cannot_be_changed_or_deleted(world, run, tmp_path):
    run("--format", "codebook", "--key", "project-a", "--output", tmp_path / "c.csv")
    audit = ExportAudit.objects.get()
    audit.row_count = 0
    with pytest.raises(AuditChangeError):
        audit.save()
    with pytest.raises(AuditChangeError):
        audit.delete()
    with pytest.raises(AuditChangeError):
        ExportAudit.objects.update(row_count=0)
    with pytest.raises(AuditChangeError):
        ExportAudit.objects.all().delete()
    assert ExportAudit.objects.get().row_count > 0
