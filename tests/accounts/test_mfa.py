"""Two-factor authentication by role: trainers, evaluators and administrators set up
an authenticator app before the admin, the evaluation area or an export; others may."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts import mfa
from accounts.roles import Role
from evaluation.models import ExportJob
from tests.factories import PASSWORD, add_totp, sign_in, totp_code, verified_user

pytestmark = pytest.mark.django_db

SET_UP = "/accounts/2fa/totp/activate/"


def password_only(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    return response


def confirm_password(client, then: str):
    """allauth asks for the password again before anyone changes how they sign in."""
    response = client.get(then)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    html = client.get(response["Location"]).content.decode()
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == then
    return html


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.TRAINER, "/admin/"),
        (Role.TRAINER, "/admin/reports/cohort-progress/"),
        (Role.ADMINISTRATOR, "/admin/users/"),
        (Role.EVALUATOR, "/evaluation/"),
        (Role.EVALUATOR, "/evaluation/exports/"),
    ],
)
def test_without_an_authenticator_privileged_people_land_on_the_set_up_page(client, role, path):
    password_only(client, verified_user(role=role, authenticator=False))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == SET_UP
    # The explanation is there from the first page on, the password confirmation...
    assert "Your role needs two-factor authentication" in confirm_password(client, SET_UP)
    # ...to the set-up page itself.
    page = client.get(SET_UP)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Your role needs two-factor authentication" in html
    assert "govuk-notification-banner" in html


def test_an_evaluator_without_an_authenticator_cannot_start_an_export(client):
    password_only(client, verified_user(role=Role.EVALUATOR, authenticator=False))
    response = client.post(
        reverse("evaluation:exports"),
        {"modules": ["disclosure-conversations"], "format": "long", "key": "project-a"},
    )
    assert response["Location"] == SET_UP
    assert not ExportJob.objects.exists()


def test_a_force_logged_in_trainer_without_an_authenticator_is_sent_to_set_up(client):
    client.force_login(verified_user(role=Role.TRAINER, authenticator=False))
    assert client.get("/admin/")["Location"] == SET_UP


@pytest.mark.parametrize(
    ("role", "path"),
    [(Role.TRAINER, "/admin/"), (Role.ADMINISTRATOR, "/admin/"), (Role.EVALUATOR, "/evaluation/")],
)
def test_with_an_authenticator_they_get_in_after_allauths_code_step(client, role, path):
    user = verified_user(role=role)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    # The password alone does not sign them in: allauth asks for the code.
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get(path).status_code == 302
    response = sign_in(client, user)
    assert "_auth_user_id" in client.session
    assert client.get(path).status_code == 200


def test_setting_up_the_app_opens_the_admin(client):
    trainer = verified_user(role=Role.TRAINER, authenticator=False)
    password_only(client, trainer)
    confirm_password(client, SET_UP)
    client.get(SET_UP)
    secret = client.session["mfa.totp.secret"]  # shown to the person as a QR code
    response = client.post(SET_UP, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=trainer, type="totp").exists()
    assert client.get("/admin/").status_code == 200


def test_coaches_and_team_leaders_do_not_need_an_authenticator(client):
    for role in (Role.WORK_COACH, Role.TEAM_LEADER):
        user = verified_user(role=role)
        assert not mfa.mfa_required(user)
        assert not Authenticator.objects.filter(user=user).exists()
    password_only(client, user)
    assert client.get("/learn/team/").status_code == 200


def test_a_coach_may_turn_it_on(client):
    coach = verified_user(role=Role.WORK_COACH)
    password_only(client, coach)
    confirm_password(client, SET_UP)
    client.get(SET_UP)
    response = client.post(SET_UP, {"code": totp_code(client.session["mfa.totp.secret"])})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=coach, type="totp").exists()


# Removing an authenticator -------------------------------------------------------


def test_removing_the_last_authenticator_of_a_trainer_is_refused(client):
    trainer = verified_user(role=Role.TRAINER)
    sign_in(client, trainer)
    confirm_password(client, reverse("mfa_deactivate_totp"))
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "your role needs it" in response.content.decode()
    assert Authenticator.objects.filter(user=trainer, type="totp").exists()
    assert client.get("/admin/").status_code == 200


def test_a_coach_may_remove_theirs(client):
    coach = verified_user(role=Role.WORK_COACH, authenticator=True)
    sign_in(client, coach)
    assert "_auth_user_id" in client.session
    confirm_password(client, reverse("mfa_deactivate_totp"))
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=coach).exists()


def test_a_trainer_whose_mfa_comes_from_single_sign_on_may_remove_a_local_one(rf):
    trainer = verified_user(role=Role.TRAINER)
    authenticator = Authenticator.objects.get(user=trainer, type="totp")
    request = rf.get("/")
    request.session = {mfa.SSO_MFA_SESSION_KEY: True}
    assert mfa.may_remove(request, authenticator)
    request.session = {}
    assert not mfa.may_remove(request, authenticator)


# Single sign-on and the setting ---------------------------------------------------


def test_mfa_asserted_by_single_sign_on_satisfies_the_rule(client):
    trainer = verified_user(role=Role.TRAINER, authenticator=False)
    client.force_login(trainer)
    assert client.get("/admin/")["Location"] == SET_UP
    session = client.session
    session[mfa.SSO_MFA_SESSION_KEY] = True
    session.save()
    assert client.get("/admin/").status_code == 200
    session[mfa.SSO_MFA_SESSION_KEY] = "yes"  # only True counts
    session.save()
    assert client.get("/admin/")["Location"] == SET_UP


def test_the_setting_adds_roles_but_cannot_remove_the_privileged_ones(settings):
    leader = verified_user(role=Role.TEAM_LEADER)
    trainer = verified_user(role=Role.TRAINER)
    settings.MFA_REQUIRED_ROLES = [Role.TEAM_LEADER.value]
    assert mfa.mfa_required(leader)
    assert mfa.mfa_required(trainer)
    settings.MFA_REQUIRED_ROLES = []
    assert not mfa.mfa_required(leader)
    assert mfa.mfa_required(trainer)


def test_superusers_need_it(client):
    admin = verified_user(is_superuser=True, is_staff=True, authenticator=False)
    client.force_login(admin)
    assert client.get("/admin/")["Location"] == SET_UP
    add_totp(admin)
    assert client.get("/admin/").status_code == 200
