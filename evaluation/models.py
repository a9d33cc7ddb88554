"""Exports of pseudonymised evaluation data: the jobs that build them and the audit log.

``ExportJob`` is one export asked for in the evaluator area: what was asked, how far
the background task has got, and where the finished file is kept until it expires.
``ExportAudit`` is the permanent record that an export was made, from the web or the
command line. Audit rows are append-only: they refuse ``save`` after creation and
``delete``, one by one and through querysets.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ExportFormat(models.TextChoices):
    LONG = "long", "Long CSV (one row per answer)"
    WIDE = "wide", "Wide CSV (one row per person and module)"
    CODEBOOK = "codebook", "Codebook CSV (data dictionary)"
    XLSX = "xlsx", "Excel workbook (.xlsx)"
    SAV = "sav", "SPSS data file (.sav)"
    DTA = "dta", "Stata data file (.dta)"
    BUNDLE = "bundle", "Everything above, in one zip file"


class ExportSource(models.TextChoices):
    WEB = "web", "Evaluator area"
    COMMAND_LINE = "command_line", "Command line"


class AuditChangeError(Exception):
    """Raised on any attempt to change or delete an audit row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditChangeError("Export audit rows cannot be changed.")

    def delete(self):
        raise AuditChangeError("Export audit rows cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditChangeError("Export audit rows cannot be changed.")

    def forget_person(self, user_id: int) -> int:
        """Blank the email address of an erased person (``accounts.retention``): the
        only change these rows allow. The export itself stays on record."""
        return models.QuerySet.update(self.filter(user_id=user_id).exclude(actor=""), actor="")


class ExportAudit(models.Model):
    """One export made: who, when, what was asked for and what came out."""

    objects = AppendOnlyQuerySet.as_manager()

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who asked for the export; empty for the command line.",
    )
    actor = models.CharField(
        max_length=254, help_text="The email address, or 'command line' and the system user."
    )
    source = models.CharField(max_length=20, choices=ExportSource.choices)
    format = models.CharField(max_length=20, choices=ExportFormat.choices)
    key_id = models.CharField(max_length=100, help_text="The pseudonymisation key's id.")
    filters = models.JSONField(help_text="Modules, and the dates the module was started.")
    row_count = models.PositiveBigIntegerField(help_text="Rows in the file's main table.")
    row_counts = models.JSONField(default=dict, help_text="Rows per file.")
    people = models.PositiveIntegerField(default=0, help_text="People (pids) in the export.")
    sha256 = models.CharField(max_length=64, help_text="Checksum of the file produced.")
    job = models.OneToOneField(
        "ExportJob",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit",
        help_text="The evaluator-area job, for web exports.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "export audit entry"
        verbose_name_plural = "export audit entries"

    def __str__(self):
        return f"{self.get_format_display()} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditChangeError("Export audit rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditChangeError("Export audit rows cannot be deleted.")


class ExportJob(models.Model):
    """An export asked for in the evaluator area and built by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluation_exports"
    )
    format = models.CharField(max_length=20, choices=ExportFormat.choices)
    key_id = models.CharField(max_length=100)
    filters = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    file_name = models.CharField(max_length=300, blank=True, help_text="The name in storage.")
    download_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    row_count = models.PositiveBigIntegerField(null=True, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_format_display()} export {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED, self.Status.EXPIRED}
