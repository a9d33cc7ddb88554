"""Retention and erasure: removing a person's identity while keeping what they answered.

``apply_retention`` erases every account nobody has signed in to for
``settings.RETENTION_INACTIVE_DAYS`` days (``last_login``, or ``date_joined`` for an
account never used), except superusers, which are break-glass accounts kept by
decision of whoever runs the service. ``erase_user`` does the same for one person who
asks. Both run in one transaction: everything is done or nothing is.

Erasing an account (``_erase``):

- the email becomes ``erased-<id>@erased.invalid``; names and staff number are blanked;
  the password becomes unusable and the account inactive, with ``erased_at`` set;
- allauth's email addresses (and their pending confirmations), two-factor
  authenticators, any linked single sign-on accounts, Wagtail's profile, and the
  person's sessions are deleted; a password-reset link already sent stops working
  because it is tied to the old password;
- audit rows keep what happened but lose the person's email and network
  (``AuditQuerySet.forget_person``), Wagtail's history names the account by its id, and
  other apps are told through ``accounts.signals.identity_erased``;
- the user row, its office and roles, and every enrolment, answer, attempt and
  certificate code stay, so evaluation figures do not change, and exports keep the same
  pseudonym (an HMAC of the user id).

Each erasure writes one ``account_erased`` row holding no identity except a keyed hash of
the old email address, so that a second request for the same address can say it was
already done; each run writes one ``retention_run`` row with its counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .audit import email_hash, record
from .models import AuditEvent, AuditKind, User
from .signals import identity_erased

ERASED_DOMAIN = "erased.invalid"
MINIMUM_DAYS = 30


class RetentionError(Exception):
    """Bad input to a retention run or an erasure; nothing was changed."""


@dataclass
class RetentionResult:
    erased_ids: list[int] = field(default_factory=list)
    dry_run: bool = False
    cutoff: datetime | None = None
    already_erased_at: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.erased_ids)


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_DOMAIN}"


def check_days(days) -> int:
    try:
        number = int(days)
    except (TypeError, ValueError):
        raise RetentionError(f"The number of days must be a whole number, not {days!r}.") from None
    if number < MINIMUM_DAYS:
        raise RetentionError(f"The number of days must be at least {MINIMUM_DAYS}, not {number}.")
    return number


def inactive_accounts(days: int, now: datetime | None = None):
    """Accounts not yet erased, not superusers, unused for more than ``days`` days."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    unused = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    return User.objects.filter(unused, erased_at__isnull=True, is_superuser=False)


@transaction.atomic
def apply_retention(
    *, days=None, now: datetime | None = None, dry_run: bool = False, actor_label: str = ""
) -> RetentionResult:
    """Erase the identity of every account inactive for longer than ``days`` (default
    ``settings.RETENTION_INACTIVE_DAYS``)."""
    days = check_days(settings.RETENTION_INACTIVE_DAYS if days is None else days)
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    users = list(inactive_accounts(days, now).select_for_update().order_by("pk"))
    result = RetentionResult(erased_ids=[u.pk for u in users], dry_run=dry_run, cutoff=cutoff)
    if dry_run:
        return result
    _erase_all(users, reason="inactive", now=now)
    record(
        AuditKind.RETENTION_RUN,
        actor_label=actor_label,
        detail={
            "mode": "inactive",
            "days": days,
            "cutoff": cutoff.isoformat(),
            "erased": result.count,
        },
    )
    return result


@transaction.atomic
def erase_user(email: str, *, dry_run: bool = False, actor_label: str = "") -> RetentionResult:
    """Erase one person's identity on request, found by their email address."""
    typed = (email or "").strip()
    if not typed:
        raise RetentionError("Give the email address of the account to erase.")
    user = User.objects.select_for_update().filter(email__iexact=typed).first()
    if user is None:
        done = (
            AuditEvent.objects.filter(
                kind=AuditKind.ACCOUNT_ERASED, detail__email_hash=email_hash(typed)
            )
            .order_by("created_at")
            .first()
        )
        if done is not None:
            return RetentionResult(dry_run=dry_run, already_erased_at=done.created_at)
        raise RetentionError(f"No account has the email address {typed}.")
    if user.is_superuser:
        raise RetentionError(
            f"{typed} is a superuser: remove superuser status before erasing the account."
        )
    result = RetentionResult(erased_ids=[user.pk], dry_run=dry_run)
    if dry_run:
        return result
    _erase_all([user], reason="request", now=timezone.now())
    record(
        AuditKind.RETENTION_RUN,
        actor_label=actor_label,
        detail={"mode": "request", "erased": 1},
    )
    return result


# Erasing -----------------------------------------------------------------------------


def _erase_all(users: list[User], *, reason: str, now: datetime) -> None:
    if not users:
        return
    ids = {user.pk for user in users}
    _delete_sessions(ids)
    for user in users:
        _erase(user, reason=reason, now=now)


def _erase(user: User, *, reason: str, now: datetime) -> None:
    old_email = user.email
    user.email = erased_email(user.pk)
    user.first_name = ""
    user.last_name = ""
    user.staff_number = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.erased_at = now
    user.save()

    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for label, model_name in (("socialaccount", "SocialAccount"), ("usersessions", "UserSession")):
        if apps.is_installed(f"allauth.{label}"):
            apps.get_model(label, model_name).objects.filter(user=user).delete()
    _forget_wagtail_profile(user)

    AuditEvent.objects.forget_person(user.pk)
    identity_erased.send(sender=User, user_id=user.pk)
    record(
        AuditKind.ACCOUNT_ERASED,
        actor=None,
        subject=user,
        actor_label="",
        detail={"reason": reason, "email_hash": email_hash(old_email)},
    )


def _forget_wagtail_profile(user: User) -> None:
    from wagtail.models import ModelLogEntry
    from wagtail.users.models import UserProfile

    for profile in UserProfile.objects.filter(user=user):
        if profile.avatar:
            profile.avatar.delete(save=False)
        profile.delete()
    # Wagtail's history of changes to the account names it as it was then.
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(label=f"Erased account {user.pk}")


def _delete_sessions(user_ids: set[int]) -> None:
    """Delete the database sessions of these people (the session engine is the
    database; a session holds only the user id, so every one is read)."""
    wanted = {str(pk) for pk in user_ids}
    doomed = []
    for session in Session.objects.iterator(chunk_size=2000):
        # get_decoded() gives {} for a session it cannot read; that one expires alone.
        if str(session.get_decoded().get(SESSION_KEY, "")) in wanted:
            doomed.append(session.session_key)
    Session.objects.filter(session_key__in=doomed).delete()
