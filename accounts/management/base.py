"""A command that reports bad input as one line on stderr with exit status 2."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError


class OneLineErrorCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        command = self

        def error(message):
            # One line and status 2, instead of argparse's usage block.
            if parser.called_from_command_line:
                command.stderr.write(f"{subcommand}: {message}")
                sys.exit(2)
            raise CommandError(message, returncode=2)

        parser.error = error
        return parser


def command_line_actor() -> str:
    """How the audit log names whoever ran a command."""
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 no login name in some containers
        who = ""
    return f"command line ({who})" if who else "command line"
