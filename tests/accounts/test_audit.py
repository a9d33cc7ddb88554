"""The audit log: each kind of event is written once by the real action, rows cannot
be changed, and only administrators read Reports → Audit log."""

import csv
import io
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.audit import email_hash, network_of
from accounts.models import AuditChangeError, AuditEvent, AuditKind, Office
from accounts.roles import Role
from tests.accounts.test_sign_in import PASSWORD
from tests.assessments.test_admin import quiz_form
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/reports/audit-log/"


def rows(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("pk"))


@pytest.fixture
def person(db):
    user = UserFactory(email="casey@example.com", role=Role.WORK_COACH)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(client, email, password=PASSWORD, address="203.0.113.77"):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_a_sign_in_through_the_form_is_recorded_once_with_the_network_only(client, person):
    response = sign_in(client, "Casey@Example.com")
    assert response.status_code == 302
    [event] = rows(AuditKind.SIGN_IN)
    assert event.actor == person and event.subject == person
    assert event.actor_label == "casey@example.com"
    assert event.ip_address == "203.0.113.0"
    assert not rows(AuditKind.SIGN_IN_FAILED)


def test_a_failed_sign_in_keeps_a_keyed_hash_not_the_password_or_address(client, person):
    response = sign_in(client, "casey@example.com", password="wrong-password-typed")
    assert response.status_code == 200
    [event] = rows(AuditKind.SIGN_IN_FAILED)
    assert event.subject == person
    assert event.actor is None and event.actor_label == ""
    assert event.detail == {"stage": "password", "email_hash": email_hash("casey@example.com")}
    assert not rows(AuditKind.SIGN_IN)

    # An address nobody has: recorded by hash alone.
    sign_in(client, "Nobody@Example.com", password="another-wrong-one")
    event = rows(AuditKind.SIGN_IN_FAILED)[-1]
    assert event.subject is None and event.subject_label == ""
    assert event.detail["email_hash"] == email_hash("nobody@example.com")
    stored = repr(list(AuditEvent.objects.values()))
    assert "nobody" not in stored.lower()
    assert "wrong-password-typed" not in stored and "another-wrong-one" not in stored


def test_networks_lose_their_host_part():
    assert network_of("198.51.100.23") == "198.51.100.0"
    assert network_of("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::"
    assert network_of("::ffff:198.51.100.23") == "198.51.100.0"
    assert network_of("not an address") is None
    assert network_of(None) is None


def totp_code(secret):
    from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time

    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_adding_and_removing_a_totp_authenticator_are_recorded(
    client, person, django_capture_on_commit_callbacks
):
    sign_in(client, person.email)
    # allauth asks for the password again before two-factor settings change.
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=person, type="totp").exists()
    added = rows(AuditKind.MFA_ADDED)
    # allauth adds recovery codes with the first authenticator: one row each.
    assert sorted(e.detail["type"] for e in added) == ["recovery_codes", "totp"]
    assert all(e.actor == person and e.subject == person for e in added)
    assert not rows(AuditKind.MFA_REMOVED)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    [reset] = rows(AuditKind.MFA_RESET)
    assert reset.detail == {"type": "recovery_codes"} and reset.subject == person

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person, type="totp").exists()
    removed = rows(AuditKind.MFA_REMOVED)
    assert "totp" in [e.detail["type"] for e in removed]
    assert len([e for e in removed if e.detail["type"] == "totp"]) == 1
    stored = repr(list(AuditEvent.objects.values()))
    assert secret not in stored


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(role=Role.ADMINISTRATOR, email="admin@example.com")
    client.force_login(admin)
    client.admin = admin
    return client


def edit_form(user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "office": user.office_id,
        "staff_number": user.staff_number,
        "password1": "",
        "password2": "",
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
    }
    data.update(changes)
    return data


def test_adding_a_role_in_the_user_admin_is_recorded_with_who_did_it(admin_client, person):
    trainer_group = Group.objects.get(name=Role.TRAINER.value)
    coach_group = Group.objects.get(name=Role.WORK_COACH.value)
    before = AuditEvent.objects.count()
    response = admin_client.post(
        reverse("wagtailusers_users:edit", args=[person.pk]),
        edit_form(person, groups=[coach_group.pk, trainer_group.pk]),
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = AuditEvent.objects.filter(pk__gt=0).order_by("pk")[before:]
    assert event.kind == AuditKind.ROLE_CHANGED
    assert event.detail == {"added": ["Trainer"]}
    assert event.actor == admin_client.admin and event.actor_label == "admin@example.com"
    assert event.subject == person and event.ip_address == "192.0.2.0"

    response = admin_client.post(
        reverse("wagtailusers_users:edit", args=[person.pk]),
        edit_form(person, groups=[coach_group.pk]),
    )
    assert rows(AuditKind.ROLE_CHANGED)[-1].detail == {"removed": ["Trainer"]}


def test_changing_an_office_is_recorded_once(admin_client, person):
    old = person.office
    new = Office.objects.get(slug="gosport")
    response = admin_client.post(
        reverse("wagtailusers_users:edit", args=[person.pk]), edit_form(person, office=new.pk)
    )
    assert response.status_code == 302
    [event] = rows(AuditKind.OFFICE_CHANGED)
    assert event.detail == {"from": old.slug, "to": "gosport"}
    assert event.subject == person and event.actor == admin_client.admin
    # Saving without a change, or signing in (which saves last_login), adds nothing.
    person.refresh_from_db()
    person.save()
    assert len(rows(AuditKind.OFFICE_CHANGED)) == 1


def test_publishing_a_quiz_in_the_snippet_admin_is_recorded_once(client, db):
    trainer = UserFactory(role=Role.TRAINER, email="trainer@example.com")
    client.force_login(trainer)
    add_url = reverse("wagtailsnippets_assessments_quiz:add")
    response = client.post(add_url, {**quiz_form(), "action-publish": "action-publish"})
    assert response.status_code == 302
    [event] = rows(AuditKind.INSTRUMENT_PUBLISHED)
    assert event.actor == trainer
    assert event.detail["instrument"] == "quiz"
    assert event.detail["version"] == 1 and event.detail["title"] == "Admin quiz"


def test_rows_refuse_change_and_delete(person):
    event = AuditEvent.objects.create(kind=AuditKind.SIGN_IN, subject=person)
    event.detail = {"changed": True}
    with pytest.raises(AuditChangeError):
        event.save()
    with pytest.raises(AuditChangeError):
        event.delete()
    with pytest.raises(AuditChangeError):
        AuditEvent.objects.filter(pk=event.pk).update(detail={})
    with pytest.raises(AuditChangeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditChangeError):
        AuditEvent.objects.bulk_update([event], ["detail"])
    event.refresh_from_db()
    assert event.detail == {}


def test_trainers_are_refused_the_audit_log_and_not_shown_it_in_the_menu(client, person):
    sign_in(Client(), person.email)
    client.force_login(UserFactory(role=Role.TRAINER))
    response = client.get(URL)
    # Wagtail sends people it refuses back to the admin's dashboard with a message.
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")
    assert "casey@example.com" not in response.content.decode()
    assert URL not in client.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.TEAM_LEADER, Role.WORK_COACH])
def test_people_without_admin_access_never_see_the_log(client, person, role):
    # Without admin access Wagtail turns them away before the report's own 403 (a 403
    # or a redirect to sign in, depending on how the admin refuses them).
    sign_in(Client(), person.email)
    client.force_login(UserFactory(role=role))
    response = client.get(URL)
    assert response.status_code in {302, 403}
    assert "casey@example.com" not in response.content.decode()


def test_administrators_read_and_filter_the_log(admin_client, person):
    sign_in(Client(), person.email)
    sign_in(Client(), person.email, password="wrong-password")
    response = admin_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Audit log" in html
    assert "Signed in" in html and "Sign-in failed" in html
    assert "casey@example.com" in html and "203.0.113.0" in html

    def cells(html, text):
        return len(re.findall(rf"<td[^>]*>\s*{text}\s*</td>", html))

    assert cells(html, "Signed in") >= 1 and cells(html, "Sign-in failed") == 1
    filtered = admin_client.get(URL, {"kind": AuditKind.SIGN_IN_FAILED}).content.decode()
    assert cells(filtered, "Sign-in failed") == 1
    assert cells(filtered, "Signed in") == 0

    long_ago = {"created_at_from": "2000-01-01", "created_at_to": "2000-01-02"}
    nothing = admin_client.get(URL, long_ago)
    assert "casey@example.com" not in nothing.content.decode()

    export = admin_client.get(URL, {"export": "csv", "kind": AuditKind.SIGN_IN})
    content = b"".join(export.streaming_content) if export.streaming else export.content
    table = list(csv.reader(io.StringIO(content.decode())))
    assert table[0] == ["When", "What", "Who", "Account", "Network", "Detail"]
    # The person's sign-in (the administrator's force_login is one too).
    assert {row[1] for row in table[1:]} == {"Signed in"}
    assert "casey@example.com" in {row[3] for row in table[1:]}


def test_the_administrator_role_holds_the_permission(db):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    assert admin.has_perm("accounts.view_audit_log")
    for role in (Role.TRAINER, Role.EVALUATOR, Role.TEAM_LEADER, Role.WORK_COACH):
        assert not UserFactory(role=role).has_perm("accounts.view_audit_log")


def test_deleting_an_account_keeps_its_rows_without_its_address(client, person):
    sign_in(client, person.email)
    person.delete()
    [event] = rows(AuditKind.SIGN_IN)
    assert event.subject_id is None and event.actor_id is None
    assert event.subject_label == "" and event.actor_label == "" and event.ip_address is None
