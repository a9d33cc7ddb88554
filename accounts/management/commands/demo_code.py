from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_totp_code


class Command(BaseCommand):
    help = (
        "Print the current authenticator code of the demo accounts that need "
        "two-factor authentication (trainer, evaluator, administrator). Demo only."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_ALLOWED:
            raise CommandError(
                "Demo accounts are not allowed with these settings (DEMO_ALLOWED is off)."
            )
        self.stdout.write(demo_totp_code())
