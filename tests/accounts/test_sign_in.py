import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "a-long-test-password"


@pytest.fixture
def verified_user(db):
    user = UserFactory(email="casey@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_sign_in_page_uses_the_service_layout(client, db):
    response = client.get(reverse("account_login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sign in to Coach Academy" in html
    assert 'class="govuk-input"' in html
    assert "govuk-skip-link" in html
    assert "sign up" not in html.lower()


def test_sign_in_with_email_and_password(client, verified_user):
    response = client.post(
        reverse("account_login"), {"login": "Casey@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == verified_user.pk


def test_wrong_password_shows_the_error_summary(client, verified_user):
    response = client.post(
        reverse("account_login"), {"login": verified_user.email, "password": "nope"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "There is a problem" in html
    assert "_auth_user_id" not in client.session


def test_empty_form_names_each_missing_field(client, db):
    html = client.post(reverse("account_login"), {}).content.decode()
    assert '<a href="#id_login">Enter your email address</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html


def test_unverified_email_must_be_verified_first(client, db):
    user = UserFactory(email="new@example.com")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert "new@example.com" in mail.outbox[0].to
    # Following the link in the email verifies the address and signs the person in.
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified


def test_password_reset_sends_an_email(client, verified_user):
    response = client.post(reverse("account_reset_password"), {"email": verified_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "[Coach Academy]" in mail.outbox[0].subject


def test_sign_out(client, verified_user):
    client.force_login(verified_user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_nobody_can_sign_themselves_up(client, db):
    response = client.get(reverse("account_signup"))
    html = response.content.decode()
    assert "You cannot create your own account" in html
    assert 'name="password1"' not in html


def test_account_page_shows_office_and_role(client, verified_user):
    client.force_login(verified_user)
    html = client.get(reverse("accounts_profile")).content.decode()
    assert verified_user.email in html
    assert verified_user.office.name in html


def test_pages_need_sign_in(client, db):
    response = client.get(reverse("accounts_profile"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
