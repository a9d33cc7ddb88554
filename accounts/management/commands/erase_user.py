"""``manage.py erase_user EMAIL [--dry-run]``: erase one person's identity on request,
keeping their pseudonymous answers (see ``accounts/retention.py``).

An unknown address or a superuser stops the command with exit status 2 and one line
on stderr. Asking again for an address already erased changes nothing and says so.
"""

from django.core.management.base import CommandError
from django.utils import timezone

from accounts.management.base import OneLineErrorCommand, command_line_actor
from accounts.retention import RetentionError, erase_user


class Command(OneLineErrorCommand):
    help = "Erase one person's identity (email, name, sign-in) and keep their answers."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The email address of the account.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would happen; change nothing."
        )

    def handle(self, *args, email, dry_run=False, **options):
        try:
            result = erase_user(email, dry_run=dry_run, actor_label=command_line_actor())
        except RetentionError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if result.already_erased_at:
            when = timezone.localtime(result.already_erased_at)
            self.stdout.write(
                f"That account was already erased on {when:%Y-%m-%d}: nothing was changed."
            )
        elif dry_run:
            self.stdout.write(
                f"Dry run: account {result.erased_ids[0]} would be erased. Nothing was changed."
            )
        else:
            self.stdout.write(
                f"Erased the identity of account {result.erased_ids[0]}; "
                "its answers are kept under its pseudonym."
            )
