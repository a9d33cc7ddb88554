from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import (
    DEFAULT_DEMO_PASSWORD,
    DEMO_ACCOUNTS,
    DEMO_TOTP_SECRET,
    ensure_demo_accounts,
)
from accounts.mfa import mfa_required
from accounts.offices import REGIONS


class Command(BaseCommand):
    help = (
        "Load the demo: offices and regions, the starter curriculum, and one demo "
        "account per role. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_DEMO_PASSWORD,
            help="Password for every demo account (default: %(default)s).",
        )

    def handle(self, *args, password, **options):
        if not settings.DEMO_ALLOWED:
            raise CommandError(
                "Demo accounts are not allowed with these settings (DEMO_ALLOWED is off)."
            )
        if len(password) < 12:
            raise CommandError("The demo password must be at least 12 characters.")
        from accounts.models import Office

        office_count = Office.objects.count()
        call_command("load_curriculum", stdout=self.stdout, stderr=self.stderr)
        users = ensure_demo_accounts(password)
        self.stdout.write(
            f"Offices: {office_count} in {len(REGIONS)} regions.\n"
            "Demo accounts (sign in at /accounts/login/):"
        )
        for account, user in zip(DEMO_ACCOUNTS, users, strict=True):
            code = " + authenticator code" if mfa_required(user) else ""
            self.stdout.write(f"  {account.role.value:<14} {account.email:<26} {password}{code}")
        self.stdout.write(
            "Authenticator code: run `manage.py demo_code`, or add the key "
            f"{DEMO_TOTP_SECRET} to an authenticator app."
        )
        self.stdout.write(self.style.SUCCESS("Demo loaded."))
