"""Who reaches the Wagtail admin, and what administrators can do there."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Office, User
from accounts.roles import Role
from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.WORK_COACH, False),
        (Role.TEAM_LEADER, False),
        (Role.EVALUATOR, False),
        (Role.TRAINER, True),
        (Role.ADMINISTRATOR, True),
    ],
)
def test_only_trainers_and_administrators_reach_the_admin(client, role, allowed):
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("wagtailadmin_home"))
    assert (response.status_code == 200) is allowed


@pytest.mark.django_db
def test_admin_sign_in_goes_through_allauth(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_administrator_creates_a_user_with_an_office_and_role(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    office = Office.objects.get(slug="gosport")
    coach_group = Group.objects.get(name=Role.WORK_COACH.value)
    form_page = client.get(reverse("wagtailusers_users:add"))
    assert 'name="office"' in form_page.content.decode()
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "new.coach@example.com",
            "first_name": "Nia",
            "last_name": "Coach",
            "office": office.pk,
            "staff_number": "",
            "password1": "a-long-password-for-nia",
            "password2": "a-long-password-for-nia",
            "groups": [coach_group.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.coach@example.com")
    assert user.office == office
    assert user.has_role(Role.WORK_COACH)


@pytest.mark.django_db
def test_a_user_needs_an_office(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "no.office@example.com",
            "first_name": "No",
            "last_name": "Office",
            "password1": "a-long-password-for-no",
            "password2": "a-long-password-for-no",
        },
    )
    assert response.status_code == 200
    assert "Choose the person&#x27;s office" in response.content.decode()
    assert not User.objects.filter(email="no.office@example.com").exists()


@pytest.mark.django_db
def test_administrators_manage_offices(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    response = client.get("/admin/office/")
    assert response.status_code == 200
    assert "Liverpool" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_login_page_redirects_to_the_service_sign_in(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/pages/"
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code in (302, 405)
    assert "_auth_user_id" not in client.session
