"""Putting one export together: the file (or the zip bundle) and its manifest.

``build_file`` writes to a path on local disk and returns what the audit log, the job
page and the manifest need. It never writes to any table: the audit row is written by
``evaluation.exports.services`` once the file is safely in place.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from evaluation.models import ExportFormat
from evaluation.pseudonymise import PID_LENGTH

from .catalogue import load_catalogue
from .extract import Extract, rolled_up_office
from .request import ExportError, ExportRequest
from .writers import (
    build_wide,
    write_codebook_csv,
    write_dta,
    write_sav,
    write_wide_csv,
    write_xlsx,
)

Progress = Callable[[float], None]
BUFFER = 1 << 20  # bytes written at a time
FILE_LABEL = "Coach Academy evaluation export"
BUNDLE_NAMES = {
    ExportFormat.LONG: "long.csv",
    ExportFormat.WIDE: "wide.csv",
    ExportFormat.CODEBOOK: "codebook.csv",
    ExportFormat.XLSX: "data.xlsx",
    ExportFormat.SAV: "data.sav",
    ExportFormat.DTA: "data.dta",
}


@dataclass
class FileInfo:
    name: str
    rows: int
    bytes: int
    sha256: str

    def as_dict(self) -> dict:
        return {"name": self.name, "rows": self.rows, "bytes": self.bytes, "sha256": self.sha256}


@dataclass
class BuildResult:
    format: str
    path: Path
    rows: int
    people: int
    sha256: str
    size: int
    manifest: dict
    files: list[FileInfo] = field(default_factory=list)

    @property
    def row_counts(self) -> dict[str, int]:
        return {f.name: f.rows for f in self.files}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def file_info(name: str, path: Path, rows: int) -> FileInfo:
    return FileInfo(name, rows, path.stat().st_size, sha256_of(path))


@contextmanager
def snapshot(using: str = DEFAULT_DB_ALIAS):
    """On PostgreSQL, one REPEATABLE READ transaction, so every file of a bundle sees
    the same answers (skipped when a transaction is already open)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def span(progress: Progress | None, start: float, end: float) -> Progress:
    def report(fraction: float) -> None:
        if progress:
            progress(start + (end - start) * max(0.0, min(1.0, fraction)))

    return report


def rules() -> dict:
    k = settings.EVALUATION_DISCLOSURE_K
    return {
        "pid": f"first {PID_LENGTH} hexadecimal characters of HMAC-SHA256(key, user id)",
        "excluded": "people whose choice in force is not to have their answers used",
        "small_offices": (
            f"offices with fewer than {k} people in the export are shown as "
            f"'{rolled_up_office('<region>', k)}'"
        ),
        "dates": "UK dates, to the day; days_since_enrolment counts from the day the"
        " module was started",
        "date_filters": "started_since and started_until select enrolments by the day the"
        " module was started, both days included",
        "quiz_attempts": "the first attempt before the module and the first after it",
        "formula_cells": "text beginning with =, +, -, @, tab or carriage return starts"
        " with an apostrophe",
    }


def manifest_for(
    request: ExportRequest, generated_at: datetime, files: list[FileInfo], people: int
) -> dict:
    return {
        "title": FILE_LABEL,
        "generated_at": generated_at.astimezone(UTC).isoformat(timespec="seconds"),
        "format": request.format,
        "key_id": request.key_id,
        "filters": request.filters(),
        "disclosure_k": settings.EVALUATION_DISCLOSURE_K,
        "people": people,
        "files": [f.as_dict() for f in files],
        "rules": rules(),
    }


def about_rows(request: ExportRequest, generated_at: datetime, people: int) -> list:
    filters = request.filters()
    modules = filters["modules"]
    return [
        ("Export", FILE_LABEL),
        ("Generated at", timezone.localtime(generated_at).strftime("%d %B %Y %H:%M")),
        ("Key id", request.key_id),
        ("Modules", modules if isinstance(modules, str) else ", ".join(modules)),
        ("Started on or after", filters["started_since"] or "any day"),
        ("Started on or before", filters["started_until"] or "any day"),
        ("People", str(people)),
        *((name.replace("_", " ").capitalize(), text) for name, text in rules().items()),
    ]


class _Builder:
    def __init__(self, request: ExportRequest, progress: Progress | None, generated_at):
        self.request = request
        self.progress = progress
        self.generated_at = generated_at
        self.catalogue = load_catalogue(request.module_ids)
        self.people = 0

    def long(self, extract: Extract, path: Path, report: Progress) -> int:
        # Counting costs a pass over the answers: only worth it for a progress bar.
        total = extract.count_long() if self.progress else 0
        report(0.05)
        with open(path, "wb", buffering=BUFFER) as out:
            return extract.write_long_csv(out, span(report, 0.05, 1.0), total)

    def wide_table(self, extract: Extract, report: Progress):
        table = build_wide(extract)
        report(1.0)
        return table

    def one(self, fmt: str, extract: Extract | None, path: Path, report: Progress, table=None):
        """Write one format to ``path``; returns (rows, wide table or None)."""
        if fmt == ExportFormat.LONG:
            return self.long(extract, path, report), table
        if fmt == ExportFormat.CODEBOOK:
            with open(path, "wb", buffering=BUFFER) as out:
                rows = write_codebook_csv(self.catalogue, out)
            report(1.0)
            return rows, table
        if table is None:
            table = self.wide_table(extract, span(report, 0.0, 0.7))
        if fmt == ExportFormat.WIDE:
            with open(path, "wb", buffering=BUFFER) as out:
                rows = write_wide_csv(table, out)
        elif fmt == ExportFormat.XLSX:
            about = about_rows(self.request, self.generated_at, self.people)
            rows = write_xlsx(table, self.catalogue, about, path)
        elif fmt == ExportFormat.SAV:
            rows = write_sav(table, path, FILE_LABEL)
        elif fmt == ExportFormat.DTA:
            rows = write_dta(table, path, FILE_LABEL)
        else:  # pragma: no cover - formats are checked on the way in
            raise ExportError(f"Unknown format {fmt!r}.")
        report(1.0)
        return rows, table


def build_file(
    request: ExportRequest,
    destination: Path,
    *,
    progress: Progress | None = None,
    generated_at: datetime | None = None,
    name: str | None = None,
) -> BuildResult:
    """Write the export to ``destination`` (a local path) and return its details;
    ``name`` is the file's name in the manifest (the destination's by default)."""
    generated_at = generated_at or timezone.now()
    destination = Path(destination)
    name = name or destination.name
    builder = _Builder(request, progress, generated_at)
    fmt = ExportFormat(request.format)
    report = span(progress, 0.0, 1.0)
    if fmt == ExportFormat.CODEBOOK:
        rows, _ = builder.one(fmt, None, destination, span(progress, 0.1, 0.95))
        files = [file_info(name, destination, rows)]
        return _result(request, fmt, destination, rows, 0, files, generated_at)

    with snapshot(), Extract(request, builder.catalogue) as extract:
        builder.people = extract.people
        report(0.1)
        if fmt != ExportFormat.BUNDLE:
            rows, _ = builder.one(fmt, extract, destination, span(progress, 0.1, 0.97))
            files = [file_info(name, destination, rows)]
            return _result(request, fmt, destination, rows, extract.people, files, generated_at)

        with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".export-") as work:
            folder = Path(work)
            files: list[FileInfo] = []
            table = None
            stages = [
                (ExportFormat.LONG, 0.1, 0.5),
                (ExportFormat.WIDE, 0.5, 0.7),
                (ExportFormat.CODEBOOK, 0.7, 0.72),
                (ExportFormat.XLSX, 0.72, 0.8),
                (ExportFormat.SAV, 0.8, 0.86),
                (ExportFormat.DTA, 0.86, 0.92),
            ]
            notes = []
            for part, start, end in stages:
                path = folder / BUNDLE_NAMES[part]
                try:
                    rows, table = builder.one(
                        part, extract, path, span(progress, start, end), table
                    )
                except ExportError as exc:
                    if part != ExportFormat.XLSX:
                        raise
                    notes.append(str(exc))
                    continue
                files.append(file_info(path.name, path, rows))
            manifest = manifest_for(request, generated_at, files, extract.people)
            if notes:
                manifest["notes"] = notes
            manifest_path = folder / "manifest.json"
            manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
            with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
                for info in files:
                    bundle.write(folder / info.name, arcname=info.name)
                bundle.write(manifest_path, arcname="manifest.json")
            report(0.98)
        main = files[0].rows if files else 0
        result = _result(request, fmt, destination, main, extract.people, files, generated_at)
        result.manifest = manifest | {
            "bundle": {"bytes": result.size, "sha256": result.sha256},
        }
        return result


def _result(request, fmt, destination, rows, people, files, generated_at) -> BuildResult:
    manifest = manifest_for(request, generated_at, files, people)
    size = destination.stat().st_size
    sha = files[0].sha256 if fmt != ExportFormat.BUNDLE else sha256_of(destination)
    return BuildResult(fmt.value, destination, rows, people, sha, size, manifest, files)
