"""Retention and erasure: ``apply_retention`` and ``erase_user`` remove identity, keep
the account row and everything answered, say what they did, and refuse bad input."""

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.management import call_command, load_command_class
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.audit import email_hash
from accounts.models import AuditEvent, AuditKind, User
from accounts.retention import RetentionError, apply_retention, erase_user
from accounts.roles import Role
from tests.accounts.test_sign_in import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
EMAIL = "zephyrine.quillfeather@example.com"
IDENTITY = [EMAIL, "zephyrine", "quillfeather", "ZQ-99871"]


@pytest.fixture
def run(monkeypatch, capsys):
    """A command run as ``manage.py`` runs it: (exit status, stdout, stderr)."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(name, *args):
        command = load_command_class("accounts", name)
        status = 0
        try:
            command.run_from_argv(["manage.py", name, *map(str, args)])
        except SystemExit as exc:
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


def days_ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def zephyrine(db):
    """Someone with everything an account gathers: a verified address, two-factor,
    a session, audit rows about them, and a history in the admin."""
    user = UserFactory(
        email=EMAIL,
        first_name="Zephyrine",
        last_name="Quillfeather",
        staff_number="ZQ-99871",
        role=Role.WORK_COACH,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    browser = Client()
    assert (
        browser.post(
            reverse("account_login"),
            {"login": EMAIL, "password": PASSWORD},
            REMOTE_ADDR="203.0.113.9",
        ).status_code
        == 302
    )
    Client().post(reverse("account_login"), {"login": EMAIL, "password": "wrong-password"})
    admin = UserFactory(role=Role.ADMINISTRATOR)
    admin_browser = Client()
    admin_browser.force_login(admin)
    response = admin_browser.post(
        reverse("wagtailusers_users:edit", args=[user.pk]),
        {
            "email": EMAIL,
            "first_name": "Zephyrine",
            "last_name": "Quillfeather",
            "office": user.office_id,
            "staff_number": "ZQ-99871",
            "password1": "",
            "password2": "",
            "is_active": "on",
            "groups": [g.pk for g in user.groups.all()],
        },
    )
    assert response.status_code == 302
    TOTP.activate(user, generate_totp_secret())
    user.refresh_from_db()
    user.browser = browser
    return user


def columns_holding(text):
    """Every (table, column) whose value contains ``text``, in any installed model."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            matches = (
                model._base_manager.annotate(_as_text=Cast(field.attname, models.TextField()))
                .filter(_as_text__icontains=text)
                .exists()
            )
            if matches:
                found.append(f"{model._meta.db_table}.{field.column}")
    return found


def test_erase_user_removes_identity_everywhere_and_keeps_the_row(zephyrine, run):
    # The check sees the identity before erasing, in the admin's history too.
    assert "account_emailaddress.email" in columns_holding(EMAIL)
    assert "wagtailcore_modellogentry.label" in columns_holding("Quillfeather")
    token = default_token_generator.make_token(zephyrine)
    office, groups = zephyrine.office_id, set(zephyrine.groups.all())

    status, out, err = run("erase_user", EMAIL.upper())
    assert (status, err) == (0, "")
    assert f"Erased the identity of account {zephyrine.pk}" in out

    user = User.objects.get(pk=zephyrine.pk)
    assert user.email == f"erased-{user.pk}@erased.invalid"
    assert (user.first_name, user.last_name, user.staff_number) == ("", "", "")
    assert not user.has_usable_password() and not user.is_active and user.erased_at
    assert user.office_id == office and set(user.groups.all()) == groups
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not default_token_generator.check_token(user, token)
    for needle in IDENTITY:
        assert columns_holding(needle) == [], needle

    # Their session has gone and they cannot sign in again.
    assert zephyrine.browser.get(reverse("accounts_profile")).status_code == 302
    for session in Session.objects.all():
        assert session.get_decoded().get("_auth_user_id") != str(user.pk)
    response = Client().post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 200

    # The audit rows about them are still there, without the address or network.
    about = AuditEvent.objects.filter(subject=user)
    assert about.filter(kind=AuditKind.SIGN_IN).exists()
    assert not about.exclude(ip_address=None).exists()
    [erased] = AuditEvent.objects.filter(kind=AuditKind.ACCOUNT_ERASED)
    assert erased.detail == {"reason": "request", "email_hash": email_hash(EMAIL)}
    [run_row] = AuditEvent.objects.filter(kind=AuditKind.RETENTION_RUN)
    assert run_row.detail == {"mode": "request", "erased": 1}
    assert run_row.actor_label.startswith("command line")


def test_erase_user_twice_changes_nothing_and_says_so(zephyrine, run):
    run("erase_user", EMAIL)
    before = list(AuditEvent.objects.values_list("pk", flat=True))
    user = User.objects.values().get(pk=zephyrine.pk)
    status, out, err = run("erase_user", EMAIL)
    assert (status, err) == (0, "")
    assert "already erased" in out and "nothing was changed" in out
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == before
    assert User.objects.values().get(pk=zephyrine.pk) == user


def test_erase_user_dry_run_changes_nothing(zephyrine, run):
    before = AuditEvent.objects.count()
    status, out, _ = run("erase_user", EMAIL, "--dry-run")
    assert status == 0 and "Dry run" in out
    assert User.objects.get(pk=zephyrine.pk).email == EMAIL
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.com"], "No account has the email address nobody@example.com."),
        (["--dry-run", "nobody@example.com"], "No account has the email address"),
        ([], "the following arguments are required: email"),
    ],
)
def test_erase_user_bad_input_exits_2_with_one_line(db, run, args, message):
    before = AuditEvent.objects.count()
    status, out, err = run("erase_user", *args)
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and message in err
    assert AuditEvent.objects.count() == before


def test_superusers_are_not_erased(db, run):
    root = User.objects.create_superuser("root@example.com", "a-long-root-password")
    status, _, err = run("erase_user", "root@example.com")
    assert status == 2 and "superuser" in err
    root.last_login = days_ago(5000)
    root.save()
    assert root.pk not in apply_retention(dry_run=True).erased_ids


def test_a_failure_part_way_leaves_nothing_half_saved(zephyrine, monkeypatch):
    import accounts.retention as retention

    def broken(*args, **kwargs):
        raise RuntimeError("storage went away")

    monkeypatch.setattr(retention, "_forget_wagtail_profile", broken)
    with pytest.raises(RuntimeError):
        erase_user(EMAIL)
    user = User.objects.get(pk=zephyrine.pk)
    assert user.email == EMAIL and user.first_name == "Zephyrine" and user.is_active
    assert EmailAddress.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.ACCOUNT_ERASED).exists()


def test_apply_retention_erases_exactly_the_inactive_accounts(db, run, settings):
    settings.RETENTION_INACTIVE_DAYS = 730
    old_login = UserFactory(last_login=days_ago(731))
    never_used_old = UserFactory(last_login=None)
    User.objects.filter(pk=never_used_old.pk).update(date_joined=days_ago(800))
    recent_login = UserFactory(last_login=days_ago(729))
    never_used_new = UserFactory(last_login=None)
    User.objects.filter(pk=never_used_new.pk).update(date_joined=days_ago(100))
    old_joined_recent_login = UserFactory(last_login=days_ago(3))
    User.objects.filter(pk=old_joined_recent_login.pk).update(date_joined=days_ago(2000))
    doomed = {old_login.pk, never_used_old.pk}
    kept = {recent_login.pk, never_used_new.pk, old_joined_recent_login.pk}

    status, out, err = run("apply_retention", "--dry-run")
    assert (status, err) == (0, "")
    assert "Dry run: 2 account(s)" in out
    assert not User.objects.filter(erased_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.RETENTION_RUN).exists()

    status, out, err = run("apply_retention")
    assert (status, err) == (0, "")
    assert "Erased the identity of 2 account(s)" in out
    assert set(User.objects.filter(erased_at__isnull=False).values_list("pk", flat=True)) == doomed
    for user in User.objects.filter(pk__in=kept):
        assert user.erased_at is None and user.is_active and "@example.com" in user.email
    [run_row] = AuditEvent.objects.filter(kind=AuditKind.RETENTION_RUN)
    assert run_row.detail["erased"] == 2 and run_row.detail["days"] == 730
    erased_rows = AuditEvent.objects.filter(kind=AuditKind.ACCOUNT_ERASED)
    assert set(erased_rows.values_list("subject_id", flat=True)) == doomed
    assert set(erased_rows.values_list("subject_label", flat=True)) <= {
        f"erased-{pk}@erased.invalid" for pk in doomed
    }

    # A second run finds nobody, says so and changes no account.
    users = list(User.objects.order_by("pk").values())
    status, out, err = run("apply_retention")
    assert (status, err) == (0, "")
    assert "nothing was changed" in out
    assert list(User.objects.order_by("pk").values()) == users
    assert AuditEvent.objects.filter(kind=AuditKind.ACCOUNT_ERASED).count() == 2
    # The run itself is on record, with nobody erased.
    assert (
        AuditEvent.objects.filter(kind=AuditKind.RETENTION_RUN).latest("pk").detail["erased"] == 0
    )


def test_the_days_option_overrides_the_setting(db):
    user = UserFactory(last_login=days_ago(100))
    assert user.pk not in apply_retention(dry_run=True).erased_ids
    assert apply_retention(days=90, dry_run=True).erased_ids == [user.pk]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "ten"], "The number of days must be a whole number, not 'ten'."),
        (["--days", "5"], "The number of days must be at least 30, not 5."),
        (["--days", "-400"], "The number of days must be at least 30, not -400."),
        (["--weeks", "3"], "unrecognized arguments: --weeks 3"),
    ],
)
def test_apply_retention_bad_numbers_exit_2_with_one_line(db, run, args, message):
    UserFactory(last_login=days_ago(5000))
    status, out, err = run("apply_retention", *args)
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and message in err
    assert not User.objects.filter(erased_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.RETENTION_RUN).exists()


def test_a_bad_setting_is_refused_too(db, settings):
    settings.RETENTION_INACTIVE_DAYS = 0
    with pytest.raises(RetentionError):
        apply_retention()


def test_the_beat_task_runs_retention(db, settings):
    from accounts.tasks import apply_retention as task

    assert settings.CELERY_BEAT_SCHEDULE["apply-retention"]["task"] == task.name
    user = UserFactory(last_login=days_ago(5000))
    assert task.apply().get() == 1
    assert User.objects.get(pk=user.pk).erased_at is not None
    assert AuditEvent.objects.get(kind=AuditKind.RETENTION_RUN).actor_label == "scheduled task"


def test_the_real_commands_exit_with_status_2(tmp_path):
    """In a separate process: the exit status and stderr the shell sees."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 fixed arguments
        [sys.executable, "manage.py", "apply_retention", "--days", "x"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "CommandError: The number of days must be a whole number, not 'x'."
    ]


def test_call_command_reports_errors_as_command_errors(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError) as caught:
        call_command("erase_user", "nobody@example.com", stdout=io.StringIO())
    assert caught.value.returncode == 2
