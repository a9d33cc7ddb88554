"""Single sign-on, end to end: our sign-in page → the provider's sign-in form →
back to the callback → signed in, against a real OpenID Connect provider."""

import time

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.backends.db import SessionStore

from accounts.models import Office
from accounts.roles import Role
from accounts.sso import MFA_ASSERTED_SESSION_KEY
from tests.factories import UserFactory

from .conftest import PASSWORD, PROVIDER_ID, PROVIDER_NAME
from .support import submit

pytestmark = [
    # One process runs these under pytest-xdist, so one provider serves them all.
    pytest.mark.xdist_group("oidc"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

LOCAL_PASSWORD = "a-long-test-password"


@pytest.fixture
def browser_session():
    with requests.Session() as session:
        yield session


def sign_in_with_provider(session, base_url: str, username: str):
    """From our sign-in page, the "Sign in with ..." button, then the provider's
    sign-in form; returns the page the person ends on."""
    page = session.get(f"{base_url}/accounts/login/", timeout=20)
    assert page.status_code == 200
    provider_page = submit(session, page, f"Sign in with {PROVIDER_NAME}")
    assert provider_page.status_code == 200, provider_page.text[:2000]
    assert "Test identity provider" in provider_page.text
    return submit(session, provider_page, "Sign in", username=username, password=PASSWORD)


def sign_out(session, base_url: str) -> None:
    page = session.get(f"{base_url}/accounts/logout/", timeout=20)
    submit(session, page, "Sign out")
    assert signed_in_user_id(session) is None


def session_data(session) -> dict:
    key = session.cookies.get("sessionid")
    return SessionStore(session_key=key).load() if key else {}


def signed_in_user_id(session) -> int | None:
    user_id = session_data(session).get("_auth_user_id")
    return int(user_id) if user_id else None


def role_names(user) -> set[str]:
    return {group.name for group in user.groups.all()}


def test_new_person_gets_an_account_with_the_role_and_office_from_the_claims(
    sso_settings, live_server, browser_session
):
    landed = sign_in_with_provider(browser_session, live_server.url, "new.trainer")

    assert landed.status_code == 200, landed.text[:2000]
    account = SocialAccount.objects.get(provider=PROVIDER_ID)
    user = account.user
    assert signed_in_user_id(browser_session) == user.pk
    assert user.email == "new.trainer@dept.example"
    assert (user.first_name, user.last_name) == ("Nia", "Trainer")
    assert role_names(user) == {Role.TRAINER.value}
    assert user.office == Office.objects.get(slug="hackney")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    # The account page, as the person now sees it.
    profile = browser_session.get(f"{live_server.url}/accounts/profile/", timeout=20)
    assert "new.trainer@dept.example" in profile.text
    assert "Hackney" in profile.text
    # A trainer's sign-in without a second factor at the provider is not two-factor.
    assert MFA_ASSERTED_SESSION_KEY not in session_data(browser_session)


def test_existing_account_is_linked_by_verified_email(sso_settings, live_server, browser_session):
    office = Office.objects.get(slug="wirral")
    local = UserFactory(email="leader@dept.example", office=office, role=Role.TEAM_LEADER)
    EmailAddress.objects.create(user=local, email=local.email, verified=True, primary=True)

    sign_in_with_provider(browser_session, live_server.url, "linked.leader")

    assert signed_in_user_id(browser_session) == local.pk
    assert SocialAccount.objects.get(provider=PROVIDER_ID).user == local
    local.refresh_from_db()
    # No role or office claim: what the administrator set stays.
    assert role_names(local) == {Role.TEAM_LEADER.value}
    assert local.office == office
    # The local password still works (the address was verified here too).
    assert local.check_password(LOCAL_PASSWORD)
    # amr "mfa": the provider checked a second factor.
    assert session_data(browser_session)[MFA_ASSERTED_SESSION_KEY] is True

    # Signing in again finds the account by the link, not by email.
    sign_out(browser_session, live_server.url)
    assert signed_in_user_id(browser_session) is None
    # Still signed in at the provider: the button alone brings the person back in.
    page = browser_session.get(f"{live_server.url}/accounts/login/", timeout=20)
    submit(browser_session, page, f"Sign in with {PROVIDER_NAME}")
    assert signed_in_user_id(browser_session) == local.pk
    assert SocialAccount.objects.count() == 1


def test_linking_an_account_whose_address_was_never_confirmed_removes_its_password(
    sso_settings, live_server, browser_session
):
    # Whoever set this password never proved the address was theirs; the provider
    # has. Keeping the password would leave two people in one account.
    local = UserFactory(email="never.confirmed@dept.example", role=Role.WORK_COACH)
    assert not EmailAddress.objects.filter(user=local).exists()

    sign_in_with_provider(browser_session, live_server.url, "never.confirmed")

    assert signed_in_user_id(browser_session) == local.pk
    local.refresh_from_db()
    assert not local.has_usable_password()
    # The address the provider vouched for is now confirmed here.
    assert EmailAddress.objects.get(user=local, email=local.email).verified


def test_unverified_email_is_refused_and_not_linked(sso_settings, live_server, browser_session):
    victim = UserFactory(email="victim@dept.example", role=Role.ADMINISTRATOR, authenticator=False)
    EmailAddress.objects.create(user=victim, email=victim.email, verified=True, primary=True)

    refused = sign_in_with_provider(browser_session, live_server.url, "unverified")

    assert refused.status_code == 403
    assert f"You cannot sign in with {PROVIDER_NAME}" in refused.text
    assert signed_in_user_id(browser_session) is None
    assert not SocialAccount.objects.exists()
    victim.refresh_from_db()
    assert victim.check_password(LOCAL_PASSWORD)


def test_unverified_email_creates_no_account(sso_settings, live_server, browser_session):
    from accounts.models import User

    refused = sign_in_with_provider(browser_session, live_server.url, "unverified.new")

    assert refused.status_code == 403
    assert not User.objects.filter(email="someone.new@dept.example").exists()
    assert signed_in_user_id(browser_session) is None


def test_without_role_or_office_claims_a_new_person_is_a_work_coach_with_no_office(
    sso_settings, live_server, browser_session
):
    sign_in_with_provider(browser_session, live_server.url, "no.claims")

    user = SocialAccount.objects.get(provider=PROVIDER_ID).user
    assert signed_in_user_id(browser_session) == user.pk
    assert role_names(user) == {Role.WORK_COACH.value}
    assert user.office is None
    # No amr claim at all: not two-factor.
    assert MFA_ASSERTED_SESSION_KEY not in session_data(browser_session)


def test_administrator_with_mfa_at_the_provider(sso_settings, live_server, browser_session):
    sign_in_with_provider(browser_session, live_server.url, "mfa.admin")

    user = SocialAccount.objects.get(provider=PROVIDER_ID).user
    assert signed_in_user_id(browser_session) == user.pk
    assert role_names(user) == {Role.ADMINISTRATOR.value}
    # The office claim matched by slug, whatever its case.
    assert user.office == Office.objects.get(slug="liverpool")
    assert session_data(browser_session)[MFA_ASSERTED_SESSION_KEY] is True


def test_a_hardware_key_counts_as_a_second_factor(sso_settings, live_server, browser_session):
    evaluator = UserFactory(email="key.user@dept.example", role=Role.EVALUATOR, authenticator=False)
    EmailAddress.objects.create(user=evaluator, email=evaluator.email, verified=True, primary=True)

    sign_in_with_provider(browser_session, live_server.url, "key.evaluator")

    assert signed_in_user_id(browser_session) == evaluator.pk
    assert session_data(browser_session)[MFA_ASSERTED_SESSION_KEY] is True


def test_the_role_claim_is_the_source_of_truth_at_every_sign_in(
    sso_settings, live_server, browser_session
):
    user = UserFactory(email="was.admin@dept.example", role=Role.ADMINISTRATOR, authenticator=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    sign_in_with_provider(browser_session, live_server.url, "demoted")

    assert signed_in_user_id(browser_session) == user.pk
    assert role_names(user) == {Role.TEAM_LEADER.value}


def test_authenticator_app_code_is_still_asked_for_without_amr(
    sso_settings, live_server, browser_session
):
    user = UserFactory(email="totp.trainer@dept.example", role=Role.TRAINER, authenticator=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    code_page = sign_in_with_provider(browser_session, live_server.url, "totp.trainer")

    assert code_page.url.endswith("/accounts/2fa/authenticate/"), code_page.url
    assert signed_in_user_id(browser_session) is None
    assert MFA_ASSERTED_SESSION_KEY not in session_data(browser_session)

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    signed_in = submit(browser_session, code_page, "Sign In", code=code)
    assert signed_in.status_code == 200, signed_in.text[:2000]
    assert signed_in_user_id(browser_session) == user.pk
    assert MFA_ASSERTED_SESSION_KEY not in session_data(browser_session)


def test_local_sign_in_still_works_and_is_never_taken_for_sso_mfa(
    sso_settings, live_server, browser_session
):
    # First an SSO sign-in with amr "mfa" in this browser, then the person signs
    # out and someone signs in with a password: the flag must not carry over.
    sign_in_with_provider(browser_session, live_server.url, "mfa.admin")
    assert session_data(browser_session)[MFA_ASSERTED_SESSION_KEY] is True
    sign_out(browser_session, live_server.url)
    local = UserFactory(email="local.person@example.com", role=Role.TRAINER, authenticator=False)
    EmailAddress.objects.create(user=local, email=local.email, verified=True, primary=True)

    page = browser_session.get(f"{live_server.url}/accounts/login/", timeout=20)
    assert f"Sign in with {PROVIDER_NAME}" in page.text
    signed_in = submit(browser_session, page, "Sign in", login=local.email, password=LOCAL_PASSWORD)

    assert signed_in.status_code == 200
    assert signed_in_user_id(browser_session) == local.pk
    assert MFA_ASSERTED_SESSION_KEY not in session_data(browser_session)
