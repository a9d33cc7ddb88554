"""Demo accounts, one per role. Used by ``load_demo`` and by the browser tests."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from .models import Office, User
from .roles import Role

DEFAULT_DEMO_PASSWORD = "coach-academy-demo"  # noqa: S105 - printed for the demo


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
        users.append(user)
    return users
