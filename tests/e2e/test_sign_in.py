"""Signing in, in the browser: a trainer without an authenticator app is walked
through setting one up before the admin opens, and then signs in with its code; a
coach who opens the admin sees the service's "no access" page, not a loop."""

import re
import time

import pytest
from playwright.sync_api import expect

from .support import COACH, sign_in, sign_out


@pytest.mark.e2e
def test_a_trainer_sets_up_an_authenticator_app_before_the_admin(demo_site, browsing):
    from accounts.roles import Role
    from tests.factories import PASSWORD, totp_code, verified_user

    trainer = verified_user(role=Role.TRAINER, authenticator=False, email="new.trainer@example.com")
    page = browsing.new_page()
    sign_in(page, trainer.email, password=PASSWORD)
    page.get_by_role("link", name="Authoring").click()

    # Confirm the password, with the reason shown, then the set-up page.
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your role needs two-factor authentication"
    )
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your role needs two-factor authentication"
    )
    # What a phone app does with the key the page shows.
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))

    page.get_by_role("link", name="Authoring").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto("/")  # out of the admin, whose page polls, before signing out
    sign_out(page)

    # Next time: the password, then the code.
    other = browsing.new_page()
    other.goto("/accounts/login/")
    other.locator("#id_login").fill(trainer.email)
    other.locator("#id_password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in", exact=True).click()
    expect(other).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(other.get_by_role("link", name="Authoring")).to_have_count(0)
    # A code is good once: wait for the app's next one.
    time.sleep(30.5 - time.time() % 30)
    other.locator("#id_code").fill(totp_code(secret))
    other.locator("form button[type=submit]").first.click()
    other.get_by_role("link", name="Authoring").click()
    expect(other).to_have_url(re.compile(r"/admin/$"))
    other.close()


@pytest.mark.e2e
def test_a_coach_who_opens_the_admin_is_told_they_have_no_access(demo_site, browsing):
    page = browsing.new_page()
    sign_in(page, COACH)
    response = page.goto("/admin/pages/")
    assert response.status == 403
    assert response.request.redirected_from is None
    expect(page.get_by_role("heading", name="You do not have access to this page")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/pages/$"))
