"""Reports → Export audit in the Wagtail admin, and the audit rows themselves."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from accounts.models import AuditEvent, AuditKind
from accounts.roles import Role
from evaluation.admin_views import ExportAuditMenuItem, can_view_export_audit
from evaluation.exports.request import make_request
from evaluation.exports.services import export_to_path
from evaluation.models import AuditChangeError, ExportAudit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/reports/export-audit/"


@pytest.fixture
def audited(disclosure, tmp_path):
    for fmt, key in (("codebook", "project-a"), ("long", "project-b")):
        request = make_request(format=fmt, key_id=key, since="2025-01-01")
        export_to_path(request, tmp_path / fmt, actor="command line (analyst)")
    return list(ExportAudit.objects.all())


def content_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_url_is_where_the_menu_points():
    assert reverse("evaluation_audit:index") == URL


def test_administrators_read_every_export(client, audited):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    assert can_view_export_audit(admin)
    client.force_login(admin)
    html = client.get(URL).content.decode()
    assert "Export audit" in html
    assert "command line (analyst)" in html
    assert "project-a" in html and "project-b" in html
    assert "Codebook CSV" in html and "Long CSV" in html
    assert "started 2025-01-01 to any day" in html
    rows = list(csv.reader(io.StringIO(content_of(client.get(f"{URL}?export=csv")).decode())))
    assert rows[0] == [
        "When",
        "Who",
        "From",
        "Format",
        "Key id",
        "Filters",
        "Rows",
        "People",
        "SHA-256",
    ]
    assert len(rows) == 3
    assert {row[4] for row in rows[1:]} == {"project-a", "project-b"}
    assert {row[2] for row in rows[1:]} == {"Command line"}


@pytest.mark.parametrize("role", [Role.WORK_COACH, Role.TEAM_LEADER, Role.EVALUATOR])
def test_people_without_admin_access_are_refused(client, audited, role):
    client.force_login(UserFactory(role=role))
    response = client.get(URL)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_trainers_have_admin_access_but_not_the_audit(client, audited):
    trainer = UserFactory(role=Role.TRAINER)
    assert not can_view_export_audit(trainer)
    client.force_login(trainer)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert URL not in html


def test_the_permission_on_its_own_with_admin_access_is_enough(client, audited):
    user = UserFactory(role=Role.TRAINER)
    user.user_permissions.add(Permission.objects.get(codename="view_export_audit"))
    user = type(user).objects.get(pk=user.pk)
    assert can_view_export_audit(user)
    client.force_login(user)
    assert client.get(URL).status_code == 200


def test_the_menu_item_is_under_reports_for_administrators(client, rf, audited):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    item = ExportAuditMenuItem("Export audit", URL)
    request = rf.get("/admin/")
    request.user = admin
    assert item.is_shown(request)
    request.user = UserFactory(role=Role.TRAINER)
    assert not item.is_shown(request)
    client.force_login(admin)
    assert URL in client.get(reverse("wagtailadmin_home")).content.decode()


def test_audit_rows_are_append_only(audited):
    audit = audited[0]
    with pytest.raises(AuditChangeError):
        audit.save()
    with pytest.raises(AuditChangeError):
        audit.delete()
    with pytest.raises(AuditChangeError):
        ExportAudit.objects.filter(pk=audit.pk).update(key_id="other")
    with pytest.raises(AuditChangeError):
        ExportAudit.objects.all().delete()
    assert ExportAudit.objects.count() == 2


def test_an_evaluator_who_exported_cannot_be_deleted_only_deactivated(disclosure, tmp_path):
    from django.db.models import ProtectedError

    evaluator = UserFactory(role=Role.EVALUATOR)
    request = make_request(format="codebook", key_id="project-a")
    export_to_path(request, tmp_path / "c.csv", actor=evaluator.email, user=evaluator)
    with pytest.raises(ProtectedError):
        evaluator.delete()
    assert ExportAudit.objects.get().user == evaluator


def test_an_export_from_the_command_line_is_recorded_and_names_its_export_audit(
    disclosure, tmp_path
):
    call_command(
        "export_responses",
        "--format",
        "codebook",
        "--key",
        "project-a",
        "--output",
        str(tmp_path / "codebook.csv"),
        stdout=io.StringIO(),
    )
    [event] = AuditEvent.objects.filter(kind=AuditKind.EXPORT)
    audit = ExportAudit.objects.get()
    assert event.detail["export_audit_id"] == audit.pk
    assert event.detail["format"] == "codebook" and event.detail["source"] == "command_line"
    assert event.actor is None and event.actor_label.startswith("command line")
