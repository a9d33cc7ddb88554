"""A real OpenID Connect provider for the single sign-on tests.

``oidc_provider`` starts ``tests/oidc_provider`` (django-oauth-toolkit) in a process
of its own on the first free port of 9120-9129, with its own SQLite file in a
temporary folder, and stops it when the session ends. Under pytest-xdist each
worker that runs these tests starts its own (the ``xdist_group`` mark asks for one
worker, but each worker's live server has its own address anyway). The service under test runs
under pytest-django's live server, so the whole round trip is real HTTP: our
sign-in page, the provider's sign-in form, the callback, allauth's token exchange
and ID-token checks.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from accounts.roles import Role
from common.oidc import parse_role_map, socialaccount_providers
from tests.services import require

BASE_DIR = Path(__file__).resolve().parents[2]
PORTS = range(9120, 9130)
CLIENT_ID = "coach-academy"
CLIENT_SECRET = "test-only-client-secret"  # noqa: S105
PROVIDER_ID = "test-idp"
PROVIDER_NAME = "Test Department"
PASSWORD = "idp-password"  # noqa: S105
ROLE_MAP = (
    "CoachAcademy.Trainer=Trainer;CoachAcademy.Admin=Administrator;CoachAcademy.Leader=Team leader"
)

# The provider's people: what it sends about each (amr goes in the ID token only).
PEOPLE = {
    "new.trainer": {
        "claims": {
            "email": "New.Trainer@dept.example",
            "email_verified": True,
            "given_name": "Nia",
            "family_name": "Trainer",
            "roles": ["Everyone", "CoachAcademy.Trainer"],
            "office": "Hackney",
        },
        "amr": ["pwd"],
    },
    "linked.leader": {
        "claims": {"email": "leader@dept.example", "email_verified": True},
        "amr": ["pwd", "mfa"],
    },
    "unverified": {
        "claims": {"email": "victim@dept.example", "email_verified": False},
        "amr": ["pwd"],
    },
    "unverified.new": {
        "claims": {"email": "someone.new@dept.example", "email_verified": False},
        "amr": ["pwd"],
    },
    "no.claims": {
        "claims": {"email": "plain@dept.example", "email_verified": True},
    },
    "mfa.admin": {
        "claims": {
            "email": "mfa.admin@dept.example",
            "email_verified": True,
            "roles": ["CoachAcademy.Admin"],
            "office": "liverpool",
        },
        "amr": ["pwd", "mfa"],
    },
    "key.evaluator": {
        "claims": {"email": "key.user@dept.example", "email_verified": True},
        "amr": ["hwk"],
    },
    "totp.trainer": {
        "claims": {
            "email": "totp.trainer@dept.example",
            "email_verified": True,
            "roles": ["CoachAcademy.Trainer"],
        },
        "amr": ["pwd"],
    },
    "never.confirmed": {
        "claims": {"email": "never.confirmed@dept.example", "email_verified": True},
        "amr": ["pwd"],
    },
    "demoted": {
        "claims": {
            "email": "was.admin@dept.example",
            "email_verified": True,
            "roles": ["CoachAcademy.Leader"],
        },
        "amr": ["pwd"],
    },
}


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_until_serving(process, base_url: str, instance: str, timeout: float = 60) -> bool:
    """Until this process's provider answers, as itself (another test run's
    provider may hold the port if two runs picked it at once) and with its
    discovery document."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if (
                requests.get(f"{base_url}/instance/", timeout=2).text == instance
                and requests.get(
                    f"{base_url}/o/.well-known/openid-configuration", timeout=2
                ).status_code
                == 200
            ):
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


def _stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """One provider per test process (each pytest-xdist worker has its own live
    server, so its own redirect URI), on the first port of the range that is free."""
    people = {name: {"password": PASSWORD, **person} for name, person in PEOPLE.items()}
    redirect_uri = f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/"
    # The provider must not pick up the service's own settings or database.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    process, reasons = None, []
    for port in (port for port in PORTS if _port_free(port)):
        # A fresh folder (database, people, log) for each attempt.
        workdir = tmp_path_factory.mktemp(f"oidc-provider-{port}")
        (workdir / "people.json").write_text(json.dumps(people))
        log_path = workdir / "provider.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "tests.oidc_provider.serve",
                    str(port),
                    CLIENT_ID,
                    CLIENT_SECRET,
                    redirect_uri,
                    str(workdir),
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base_url = f"http://127.0.0.1:{port}"
        if _wait_until_serving(process, base_url, instance=str(workdir)):
            break
        _stop(process)
        reasons.append(f"port {port}: {log_path.read_text().strip()[-300:]}")
        process = None
    require(
        process is not None,
        "The test OpenID Connect provider did not start: "
        + (" | ".join(reasons) or "no free port in 9120-9129"),
    )
    try:
        yield SimpleNamespace(server_url=f"{base_url}/o", process=process, log=log_path)
    finally:
        _stop(process)


@pytest.fixture
def reference_data(transactional_db):
    """The roles and offices that migrations create, which the flush after each
    live-server test takes away (cheaper than a serialized rollback of every table)."""
    from django.apps import apps

    from accounts.offices import sync_offices
    from accounts.roles import sync_roles

    sync_roles(apps)
    sync_offices(apps)


@pytest.fixture
def sso_settings(settings, oidc_provider):
    """Single sign-on on, pointing at the test provider, as the environment
    variables would set it (see config/settings/base.py)."""
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
        server_url=oidc_provider.server_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        provider_id=PROVIDER_ID,
        provider_name=PROVIDER_NAME,
    )
    settings.OIDC_ROLE_CLAIM = "roles"
    settings.OIDC_ROLE_MAP = parse_role_map(ROLE_MAP, [role.value for role in Role])
    settings.OIDC_OFFICE_CLAIM = "office"
    return settings
