"""What an export is asked to contain, checked before anything is built."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from content.models import ModulePage
from evaluation.models import ExportFormat
from evaluation.pseudonymise import key_ids

#: File name endings per format.
SUFFIXES = {
    ExportFormat.LONG: "-long.csv",
    ExportFormat.WIDE: "-wide.csv",
    ExportFormat.CODEBOOK: "-codebook.csv",
    ExportFormat.XLSX: ".xlsx",
    ExportFormat.SAV: ".sav",
    ExportFormat.DTA: ".dta",
    ExportFormat.BUNDLE: ".zip",
}

CONTENT_TYPES = {
    ExportFormat.LONG: "text/csv",
    ExportFormat.WIDE: "text/csv",
    ExportFormat.CODEBOOK: "text/csv",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.SAV: "application/x-spss-sav",
    ExportFormat.DTA: "application/x-stata-dta",
    ExportFormat.BUNDLE: "application/zip",
}


class ExportError(Exception):
    """The export cannot be made as asked; the message says why in one line."""


@dataclass(frozen=True)
class ExportRequest:
    format: str
    key_id: str
    #: Module slugs, in page order; empty means every module.
    modules: tuple[str, ...] = ()
    #: Only enrolments whose module was started on or after / on or before these
    #: days (UK time), inclusive.
    since: date | None = None
    until: date | None = None
    module_ids: tuple[int, ...] = field(default=(), compare=False)

    def filters(self) -> dict:
        return {
            "modules": list(self.modules) or "all",
            "started_since": self.since.isoformat() if self.since else None,
            "started_until": self.until.isoformat() if self.until else None,
        }

    @property
    def since_datetime(self) -> datetime | None:
        if self.since is None:
            return None
        return timezone.make_aware(datetime.combine(self.since, time.min))

    @property
    def until_datetime(self) -> datetime | None:
        """The start of the day after ``until``: the bound is exclusive."""
        if self.until is None:
            return None
        return timezone.make_aware(datetime.combine(self.until + timedelta(days=1), time.min))

    def file_name(self, when: datetime | None = None) -> str:
        stamp = timezone.localtime(when or timezone.now()).strftime("%Y%m%d-%H%M")
        return f"evaluation-export-{self.key_id}-{stamp}{SUFFIXES[ExportFormat(self.format)]}"

    def to_json(self) -> dict:
        return {
            "format": self.format,
            "key_id": self.key_id,
            "modules": list(self.modules),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def parse_day(value: str | date | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ExportError(f"{name} must be a date written YYYY-MM-DD, not {value!r}.") from None


def make_request(
    *,
    format: str,
    key_id: str | None,
    modules: list[str] | tuple[str, ...] | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
) -> ExportRequest:
    """Check every part of the request and return it, or raise ``ExportError``."""
    if format not in ExportFormat.values:
        raise ExportError(
            f"Unknown format {format!r}: choose one of {', '.join(ExportFormat.values)}."
        )
    ids = key_ids()
    if not ids:
        raise ExportError(
            "No pseudonymisation key is set up (settings.EVALUATION_PSEUDONYM_KEYS is empty)."
        )
    if key_id is None:
        if len(ids) > 1:
            raise ExportError(f"Choose a key with --key: one of {', '.join(ids)}.")
        key_id = ids[0]
    if key_id not in ids:
        raise ExportError(f"Unknown key {key_id!r}: choose one of {', '.join(ids)}.")
    since_day = parse_day(since, "--since")
    until_day = parse_day(until, "--until")
    if since_day and until_day and since_day > until_day:
        raise ExportError(
            f"--since ({since_day.isoformat()}) is after --until ({until_day.isoformat()})."
        )
    pages = list(ModulePage.objects.order_by("path").values_list("pk", "slug"))
    by_slug = {slug: pk for pk, slug in pages}
    wanted = list(dict.fromkeys(modules or []))
    unknown = [slug for slug in wanted if slug not in by_slug]
    if unknown:
        raise ExportError(f"Unknown module {unknown[0]!r}: choose from {', '.join(by_slug)}.")
    chosen = [(pk, slug) for pk, slug in pages if slug in wanted] if wanted else pages
    return ExportRequest(
        format=format,
        key_id=key_id,
        modules=tuple(slug for _, slug in chosen) if wanted else (),
        since=since_day,
        until=until_day,
        module_ids=tuple(pk for pk, _ in chosen),
    )


def request_from_json(data: dict) -> ExportRequest:
    return make_request(
        format=data["format"],
        key_id=data["key_id"],
        modules=data.get("modules") or [],
        since=data.get("since"),
        until=data.get("until"),
    )
