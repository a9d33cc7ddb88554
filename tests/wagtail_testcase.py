"""Wagtail's page test case for a service where the admin needs two-factor
authentication: the superuser and test user Wagtail's helpers make get an
authenticator app, as a real administrator would have."""

from wagtail.test.utils import WagtailPageTestCase

from tests.factories import add_totp


class AdminPageTestCase(WagtailPageTestCase):
    @staticmethod
    def create_test_user():
        user = WagtailPageTestCase.create_test_user()
        add_totp(user)
        return user

    @staticmethod
    def create_superuser(*args, **kwargs):
        user = WagtailPageTestCase.create_superuser(*args, **kwargs)
        add_totp(user)
        return user
