import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError

from accounts.models import Office, Region, User
from accounts.offices import REGIONS
from accounts.roles import ROLE_PERMISSIONS, Role


@pytest.mark.django_db
class TestUserModel:
    def test_email_is_the_login_and_there_is_no_username(self):
        user = User.objects.create_user("Someone@Example.COM", "a-long-password-1")
        assert User.USERNAME_FIELD == "email"
        assert not hasattr(user, "username") or user.username is None
        assert user.email == "someone@example.com"
        assert user.check_password("a-long-password-1")

    def test_emails_are_unique_whatever_their_case(self):
        User.objects.create_user("dup@example.com", "pw-123456789012")
        with pytest.raises(IntegrityError):
            User.objects.create(email="DUP@example.com")

    def test_create_user_requires_an_email(self):
        with pytest.raises(ValueError, match="email"):
            User.objects.create_user("", "pw")

    def test_superuser(self):
        admin = User.objects.create_superuser("root@example.com", "pw-123456789012")
        assert admin.is_staff and admin.is_superuser


@pytest.mark.django_db
class TestReferenceData:
    def test_every_programme_office_and_wales_exist(self):
        for region_name, offices in REGIONS.items():
            region = Region.objects.get(name=region_name)
            assert set(region.offices.values_list("name", flat=True)) >= set(offices)
        assert Region.objects.filter(name="Wales").exists()
        assert Office.objects.get(slug="liverpool").region.name == "North West"
        assert Office.objects.get(slug="hull").region.name == "North East"
        assert Office.objects.count() == sum(len(o) for o in REGIONS.values())

    def test_user_region_comes_from_office(self):
        user = User.objects.create_user(
            "x@example.com", "pw-123456789012", office=Office.objects.get(slug="croydon")
        )
        assert user.region.name == "London and Essex"


@pytest.mark.django_db
class TestRoles:
    def test_each_role_is_a_group_with_its_permissions(self):
        for role, perms in ROLE_PERMISSIONS.items():
            group = Group.objects.get(name=role.value)
            granted = {(p.content_type.app_label, p.codename) for p in group.permissions.all()}
            assert granted >= {(app, codename) for app, _, codename in perms}
            # Only evaluators and administrators see anything of the evaluation.
            if role not in {Role.EVALUATOR, Role.ADMINISTRATOR}:
                assert not any("evaluation" in codename for _, codename in granted)

    def test_trainers_and_administrators_reach_the_wagtail_admin(self):
        for role in Role:
            group = Group.objects.get(name=role.value)
            can = group.permissions.filter(codename="access_admin").exists()
            assert can == (role in {Role.TRAINER, Role.ADMINISTRATOR}), role

    def test_trainers_may_publish_pages_but_not_delete_them(self):
        trainer = Group.objects.get(name=Role.TRAINER.value)
        codenames = set(trainer.page_permissions.values_list("permission__codename", flat=True))
        assert {"add_page", "change_page", "publish_page"} <= codenames
        assert "delete_page" not in codenames

    def test_evaluators_get_evaluation_permissions_only(self):
        from tests.factories import UserFactory

        evaluator = UserFactory(role=Role.EVALUATOR)
        coach = UserFactory(role=Role.WORK_COACH)
        assert evaluator.has_perm("accounts.view_evaluation")
        assert not coach.has_perm("accounts.view_evaluation")
        assert not evaluator.has_perm("wagtailadmin.access_admin")
        assert evaluator.has_role(Role.EVALUATOR)
