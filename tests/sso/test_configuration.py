"""Single sign-on is configured from environment variables only, and is off
(no button, no sign-in address) when they are unset."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.roles import Role
from common.oidc import SSOConfigurationError, parse_role_map, socialaccount_providers

BASE_DIR = Path(__file__).resolve().parents[2]

SHOW_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "providers": settings.SOCIALACCOUNT_PROVIDERS,
    "role_claim": settings.OIDC_ROLE_CLAIM,
    "role_map": settings.OIDC_ROLE_MAP,
    "office_claim": settings.OIDC_OFFICE_CLAIM,
    "amr": settings.OIDC_MFA_AMR_VALUES,
}))
"""


def settings_with(**variables) -> subprocess.CompletedProcess:
    """Load the test settings in a fresh interpreter with these variables set and
    every other OIDC_ variable unset."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    env.update(variables, DJANGO_SETTINGS_MODULE="config.settings.test")
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", "import django; django.setup()\n" + SHOW_SETTINGS],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_environment_variables_configure_one_provider():
    result = settings_with(
        OIDC_SERVER_URL="https://login.microsoftonline.com/tenant-id/v2.0",
        OIDC_CLIENT_ID="client-id",
        OIDC_CLIENT_SECRET="client-secret",
        OIDC_PROVIDER_ID="entra",
        OIDC_PROVIDER_NAME="DWP account",
        OIDC_VERIFIED_EMAIL_DOMAINS="dwp.gov.uk,Engage.dwp.gov.uk",
        OIDC_ROLE_MAP="CA.Trainer=trainer; CA.Admin=Administrator",
        OIDC_OFFICE_CLAIM="officeLocation",
        OIDC_MFA_AMR_VALUES="mfa,fido",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    (app,) = shown["providers"]["openid_connect"]["APPS"]
    assert app["provider_id"] == "entra"
    assert app["name"] == "DWP account"
    assert app["client_id"] == "client-id"
    assert app["secret"] == "client-secret"
    assert app["settings"] == {
        "server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
        "oauth_pkce_enabled": True,
        "verified_email": ["dwp.gov.uk", "engage.dwp.gov.uk"],
    }
    assert shown["role_claim"] == "roles"
    assert shown["role_map"] == {"CA.Trainer": "Trainer", "CA.Admin": "Administrator"}
    assert shown["office_claim"] == "officeLocation"
    assert shown["amr"] == ["mfa", "fido"]


def test_unset_environment_means_no_provider():
    result = settings_with()
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["providers"] == {"openid_connect": {"APPS": []}}
    assert shown["amr"] == ["mfa", "otp", "hwk", "swk", "fido", "mca"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"OIDC_ROLE_MAP": "CA.Boss=Head of everything"}, "'Head of everything' is not a role"),
        ({"OIDC_ROLE_MAP": "no equals sign"}, "is not of the form claim-value=Role"),
        (
            {"OIDC_SERVER_URL": "https://idp.example", "OIDC_CLIENT_ID": "id"},
            "OIDC_CLIENT_SECRET is required",
        ),
    ],
)
def test_a_configuration_that_cannot_work_stops_start_up_with_one_line(variables, message):
    result = settings_with(**variables)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("Coach Academy cannot start: ")
    assert message in last_line


def test_role_map_names_roles_whatever_their_case():
    roles = [role.value for role in Role]
    assert parse_role_map("a=work coach;b=TEAM LEADER;;", roles) == {
        "a": "Work coach",
        "b": "Team leader",
    }
    with pytest.raises(SSOConfigurationError):
        parse_role_map("=Trainer", roles)


def test_no_client_id_means_no_provider():
    providers = socialaccount_providers(
        server_url="https://idp.example",
        client_id="",
        client_secret="",
        provider_id="sso",
        provider_name="SSO",
    )
    assert providers == {"openid_connect": {"APPS": []}}


def test_without_a_provider_the_sign_in_page_has_no_button_and_there_is_no_address(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert "Sign in with" not in html
    assert "/accounts/oidc/" not in html
    for provider_id in ("sso", "openid_connect"):
        assert client.get(f"/accounts/oidc/{provider_id}/login/").status_code == 404
        assert client.post(f"/accounts/oidc/{provider_id}/login/").status_code == 404
        assert client.get(f"/accounts/oidc/{provider_id}/login/callback/").status_code == 404


def test_with_a_provider_the_sign_in_page_offers_it(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
        server_url="https://idp.example",
        client_id="id",
        client_secret="secret",
        provider_id="dept",
        provider_name="Department account",
    )
    html = client.get(reverse("account_login")).content.decode()
    assert "Sign in with Department account" in html
    assert 'action="/accounts/oidc/dept/login/?process=login"' in html
    # The password form stays.
    assert 'name="password"' in html
    # Another provider id is still unknown.
    assert client.post("/accounts/oidc/other/login/").status_code == 404
