"""There is one way in: allauth. Every other sign-in or password-reset address sends
people there or is gone, never signs anyone in, and cannot be used to get round
allauth's rate limits; signed-in people without admin access are refused at the
admin in one response."""

import re

import pytest
from django.contrib.auth import views as auth_views
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from wagtail.admin.views import account as wagtail_account

from accounts.roles import Role
from tests.factories import PASSWORD, sign_in, totp_code, totp_secret, verified_user

pytestmark = pytest.mark.django_db

SIGN_IN_VIEWS = (
    auth_views.LoginView,
    auth_views.PasswordResetView,
    auth_views.PasswordResetConfirmView,
    wagtail_account.LoginView,
)

# The sign-in and password-reset addresses Wagtail and Django would offer.
LEGACY_URLS = [
    "/_util/login/",
    "/admin/login/",
    "/admin/password_reset/",
    "/admin/password_reset/confirm/MQ/set-password/",
    "/admin/password_reset/done/",
]


def all_routes(patterns=None, prefix=""):
    """Every URL pattern of the project, as (route, pattern), routes joined up."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from all_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def sample_path(route: str) -> str:
    """A concrete address for a route such as ``admin/password_reset/confirm/<uidb64>/
    <token>/``."""
    path = re.sub(r"<int:[^>]+>", "1", route)
    path = re.sub(r"<[^>]+>", "x", path)
    return "/" + path.replace("^", "").replace("$", "")


def credentials(user) -> dict:
    # Every field name a Django, Wagtail or allauth form might read.
    return {"username": user.email, "login": user.email, "email": user.email, "password": PASSWORD}


@pytest.fixture
def trainer_with_app(db):
    return verified_user(role=Role.TRAINER)


def test_no_django_or_wagtail_sign_in_view_is_reachable(client, trainer_with_app):
    shadowed = [
        route
        for route, pattern in all_routes()
        if issubclass(getattr(pattern.callback, "view_class", object), SIGN_IN_VIEWS)
    ]
    assert shadowed, "expected Wagtail's own sign-in routes to be found (and shadowed)"
    for route in shadowed:
        path = sample_path(route)
        view = getattr(resolve(path).func, "view_class", None)
        assert not (view and issubclass(view, SIGN_IN_VIEWS)), f"{path} reaches {view}"
        response = client.post(path, credentials(trainer_with_app))
        assert response.status_code in (302, 404, 405), path
        assert "_auth_user_id" not in client.session, f"{path} signed someone in"


@pytest.mark.parametrize("path", LEGACY_URLS)
def test_a_post_with_the_right_password_goes_to_allauth_and_signs_nobody_in(
    client, trainer_with_app, path
):
    response = client.post(path, credentials(trainer_with_app))
    assert response.status_code == 302
    assert response["Location"].split("?")[0] in (
        reverse("account_login"),
        reverse("account_reset_password"),
    )
    assert "_auth_user_id" not in client.session
    assert not mail.outbox  # no password reset email either


def test_sign_in_keeps_where_the_person_was_going(client):
    response = client.get("/_util/login/?next=/modules/")
    assert response["Location"] == "/accounts/login/?next=/modules/"


def test_shared_page_and_document_passwords_are_off(client, db):
    for path in (
        "/_util/authenticate_with_password/1/1/",
        "/documents/authenticate_with_password/1/",
    ):
        assert client.post(path, {"password": "guess"}).status_code == 404


def test_wagtail_account_settings_offer_no_password_or_email_change(client, trainer_with_app):
    sign_in(client, trainer_with_app)
    html = client.get(reverse("wagtailadmin_account")).content.decode()
    assert 'name="password_old"' not in html
    assert 'name="email-email"' not in html


# Rate limits ---------------------------------------------------------------------


def test_failed_sign_ins_are_refused_over_the_limit_on_every_path(client, trainer_with_app):
    user = trainer_with_app
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "no"})
        assert response.status_code == 200
    # Over the limit even the right password is refused...
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # ...and no other address signs the person in instead.
    for path in LEGACY_URLS:
        client.post(path, credentials(user))
        assert "_auth_user_id" not in client.session, path


def test_wrong_authenticator_codes_are_refused_over_the_limit(client, trainer_with_app):
    user = trainer_with_app
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    right = totp_code(totp_secret(user))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": wrong})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": right})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_password_reset_requests_are_limited(client, trainer_with_app):
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": trainer_with_app.email})
    assert len(mail.outbox) == 5
    response = client.post(reverse("account_reset_password"), {"email": trainer_with_app.email})
    assert len(mail.outbox) == 5
    assert response.status_code in (200, 429)


# The admin refuses people without admin access, once ------------------------------


@pytest.mark.parametrize("role", [Role.WORK_COACH, Role.TEAM_LEADER, Role.EVALUATOR])
@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/admin/reports/cohort-progress/"])
def test_admin_refuses_signed_in_people_without_access_in_one_response(client, role, path):
    sign_in(client, verified_user(role=role))
    assert "_auth_user_id" in client.session
    response = client.get(path)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_admin_sends_people_who_are_not_signed_in_to_allauth(client, db):
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/pages/"
