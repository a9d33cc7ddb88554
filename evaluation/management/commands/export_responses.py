"""``manage.py export_responses``: a pseudonymised export, written to a file.

    python manage.py export_responses --format long|wide|codebook|xlsx|sav|dta|bundle
        --output PATH [--module SLUG ...] [--since YYYY-MM-DD] [--until YYYY-MM-DD]
        [--key KEY_ID]

Any bad argument (unknown format, module or key, a date that is not a date, --since
after --until, a path that cannot be written) stops the command with exit status 2
and one line on stderr, before anything is written. The file is built beside PATH
under a hidden name and moved into place only when complete; the audit log records
the export with the source "command line".
"""

import time

from django.core.management.base import CommandError

from accounts.management.base import OneLineErrorCommand
from evaluation.exports.request import ExportError, make_request
from evaluation.exports.services import check_output_path, export_to_path
from evaluation.models import ExportFormat


class Command(OneLineErrorCommand):
    help = "Write a pseudonymised export of survey answers and quiz results to a file."
    # The system checks load every URL and view (SciPy among them): memory an export
    # does not need. ``manage.py check`` runs them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            required=True,
            metavar="|".join(ExportFormat.values),
            help="Which file to write.",
        )
        parser.add_argument("--output", required=True, metavar="PATH", help="Where to write it.")
        parser.add_argument(
            "--module",
            action="append",
            default=[],
            metavar="SLUG",
            help="A module to export (repeat for several; all modules if left out).",
        )
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            help="Only people who started the module on or after this day (UK time).",
        )
        parser.add_argument(
            "--until",
            metavar="YYYY-MM-DD",
            help="Only people who started the module on or before this day (UK time).",
        )
        parser.add_argument(
            "--key",
            metavar="KEY_ID",
            help="The pseudonymisation key (needed when more than one is set up).",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            request = make_request(
                format=options["format"],
                key_id=options["key"],
                modules=options["module"],
                since=options["since"],
                until=options["until"],
            )
            check_output_path(options["output"])
            result, audit = export_to_path(request, options["output"])
        except ExportError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Wrote {result.path} ({request.format}): {result.rows} rows, {result.people} people,"
            f" key {request.key_id}, SHA-256 {result.sha256}, in {seconds:.1f} s"
            f" (audit entry {audit.pk})."
        )
