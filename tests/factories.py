import time

import factory
import wagtail_factories
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import mfa
from accounts.models import Office, Region, User
from accounts.roles import Role
from content.models import LessonPage, ModuleIndexPage, ModulePage


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Region {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Office {n}")
    slug = factory.Sequence(lambda n: f"office-{n}")
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    office = factory.SubFactory(OfficeFactory)
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))
        if create:
            self.save()

    @factory.post_generation
    def authenticator(self, create, extracted, **kwargs):
        """People whose role needs two-factor authentication get an authenticator app,
        as they would have in the service; ``authenticator=False`` leaves it out and
        ``authenticator=True`` adds one for anyone."""
        wanted = mfa.mfa_required(self) if extracted is None else extracted
        if create and wanted:
            add_totp(self)


def add_totp(user, secret: str | None = None) -> str:
    """Give ``user`` an authenticator app (and recovery codes), as allauth's set-up page
    does; returns the app's secret, for ``totp_code``."""
    secret = secret or generate_totp_secret()
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_secret(user) -> str:
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for ``secret`` now (or at time ``at``),
    computed with allauth's own functions."""
    from allauth.mfa import app_settings

    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


PASSWORD = "a-long-test-password"  # noqa: S105 - every factory user's password


def verified_user(**kwargs) -> User:
    """A user whose email address is verified, so allauth lets them sign in."""
    user = UserFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(client, user, *, password: str = PASSWORD, code: str | None = None):
    """Sign in through allauth's own pages, as a person does: the password, then, when
    allauth asks for it, the code of the user's authenticator app (or ``code``).
    Returns the last response."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    if response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"):
        code = code or totp_code(totp_secret(user))
        response = client.post(reverse("mfa_authenticate"), {"code": code})
    return response


class ModuleIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ModuleIndexPage

    title = "Modules"


class ModulePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ModulePage

    title = factory.Sequence(lambda n: f"Module {n}")
    summary = "What this module covers."
    estimated_minutes = 30


class LessonPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"Lesson {n}")
    summary = "What this lesson covers."
    estimated_minutes = 8
    body = factory.LazyFunction(lambda: [{"type": "markdown", "value": "Some **text**."}])
