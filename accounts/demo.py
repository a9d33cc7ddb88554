"""Demo accounts, one per role. Used by ``load_demo`` and by the browser tests."""

import time
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.db import transaction

from . import mfa
from .models import Office, User
from .roles import Role

DEFAULT_DEMO_PASSWORD = "coach-academy-demo"  # noqa: S105 - printed for the demo
# The authenticator-app key of the demo accounts whose role needs two-factor
# authentication. Published, like the password: demo only (DEMO_ALLOWED).
DEMO_TOTP_SECRET = "COACHACADEMYDEMOCOACHACADEMYDEMO"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: Role
    office_slug: str


DEMO_ACCOUNTS = [
    DemoAccount("coach@example.com", "Casey", "Coach", Role.WORK_COACH, "liverpool"),
    DemoAccount("teamleader@example.com", "Taylor", "Leader", Role.TEAM_LEADER, "liverpool"),
    DemoAccount("trainer@example.com", "Tamsin", "Trainer", Role.TRAINER, "liverpool"),
    DemoAccount("evaluator@example.com", "Evan", "Evaluator", Role.EVALUATOR, "westminster"),
    DemoAccount("admin@example.com", "Ada", "Administrator", Role.ADMINISTRATOR, "westminster"),
]


@transaction.atomic
def ensure_demo_accounts(password: str = DEFAULT_DEMO_PASSWORD) -> list[User]:
    """Create or reset the demo accounts. Running it again changes nothing else."""
    users = []
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=account.email,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "office": Office.objects.get(slug=account.office_slug),
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=account.role.value)])
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if mfa.mfa_required(user):
            _give_demo_authenticator(user)
        users.append(user)
    return users


def _give_demo_authenticator(user: User) -> None:
    """An authenticator app with the published demo key, and recovery codes, as if the
    person had set them up; any other authenticator app is replaced."""
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, DEMO_TOTP_SECRET)
    RecoveryCodes.activate(user)


def demo_totp_code(at: float | None = None) -> str:
    """The code an authenticator app holding the demo key shows now (or at ``at``)."""
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))
