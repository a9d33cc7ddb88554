"""``manage.py apply_retention [--days N] [--dry-run]``: erase the identity of every
account unused for longer than ``RETENTION_INACTIVE_DAYS`` (or N) days.

Runs daily as the Celery beat task ``accounts.apply_retention`` as well. What erasing
keeps and removes is described in ``accounts/retention.py`` and docs/security.md.
A bad number stops the command with exit status 2 and one line on stderr.
"""

from django.core.management.base import CommandError

from accounts.management.base import OneLineErrorCommand, command_line_actor
from accounts.retention import RetentionError, apply_retention


class Command(OneLineErrorCommand):
    help = "Erase the identity of accounts nobody has used for a long time."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            metavar="N",
            help="Erase accounts unused for more than N days (default: RETENTION_INACTIVE_DAYS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would be erased; change nothing."
        )

    def handle(self, *args, days=None, dry_run=False, **options):
        try:
            result = apply_retention(days=days, dry_run=dry_run, actor_label=command_line_actor())
        except RetentionError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        since = f"{result.cutoff:%Y-%m-%d}"
        if dry_run:
            self.stdout.write(
                f"Dry run: {result.count} account(s) unused since before {since} would be "
                f"erased (ids: {', '.join(map(str, result.erased_ids)) or 'none'}). "
                "Nothing was changed."
            )
        elif result.count:
            self.stdout.write(
                f"Erased the identity of {result.count} account(s) unused since before {since}."
            )
        else:
            self.stdout.write(f"No accounts unused since before {since}: nothing was changed.")
