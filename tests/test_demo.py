import io

import pytest
from django.core.management import CommandError, call_command

from accounts.demo import DEFAULT_DEMO_PASSWORD, DEMO_ACCOUNTS
from accounts.models import User
from content.models import LessonPage


def run_demo(**kwargs) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_creates_one_account_per_role_and_prints_the_password():
    output = run_demo()
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.has_role(account.role)
        assert user.check_password(DEFAULT_DEMO_PASSWORD)
        assert user.office is not None
        assert account.email in output
    assert DEFAULT_DEMO_PASSWORD in output
    assert LessonPage.objects.live().count() == 15


@pytest.mark.django_db
def test_load_demo_is_idempotent():
    run_demo()
    counts = (User.objects.count(), LessonPage.objects.count())
    output = run_demo()
    assert (User.objects.count(), LessonPage.objects.count()) == counts
    assert "0 items created" in output


@pytest.mark.django_db
def test_demo_accounts_can_sign_in(client):
    run_demo()
    response = client.post(
        "/accounts/login/", {"login": "coach@example.com", "password": DEFAULT_DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_load_demo_refuses_when_demo_is_not_allowed(settings):
    settings.DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="not allowed"):
        run_demo()
    assert not User.objects.filter(email="coach@example.com").exists()


@pytest.mark.django_db
def test_load_demo_rejects_a_short_password():
    with pytest.raises(CommandError, match="at least 12"):
        run_demo(password="short")


@pytest.mark.django_db
def test_privileged_demo_accounts_sign_in_with_the_demo_authenticator_code(client):
    from allauth.mfa.models import Authenticator

    from accounts.mfa import mfa_required

    run_demo()
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        has_app = Authenticator.objects.filter(user=user, type="totp").exists()
        assert has_app == mfa_required(user), account.email
    response = client.post(
        "/accounts/login/", {"login": "trainer@example.com", "password": DEFAULT_DEMO_PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    out = io.StringIO()
    call_command("demo_code", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert "_auth_user_id" in client.session
    assert client.get("/admin/").status_code == 200


def test_demo_code_refuses_when_demo_is_not_allowed(settings):
    settings.DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="not allowed"):
        call_command("demo_code", stdout=io.StringIO())
