"""Start the test identity provider: ``python -m tests.oidc_provider.serve PORT
CLIENT_ID CLIENT_SECRET REDIRECT_URI WORKDIR``.

Makes an RSA key, migrates a fresh SQLite file in WORKDIR, creates the people
listed in WORKDIR/people.json and one confidential client that skips the consent
screen, then serves on 127.0.0.1:PORT until stopped.
"""

import os
import sys
import threading
import time
from pathlib import Path


def stop_with_parent() -> None:
    """The test run stops the provider at the end; if the run itself is killed
    first, the provider notices its parent has gone and stops too."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main(port: str, client_id: str, client_secret: str, redirect_uri: str, workdir: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    stop_with_parent()
    work = Path(workdir)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["OIDC_PROVIDER_KEY"] = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    os.environ["OIDC_PROVIDER_DB"] = str(work / "provider.sqlite3")
    os.environ["OIDC_PROVIDER_PEOPLE"] = str(work / "people.json")
    os.environ["OIDC_PROVIDER_INSTANCE"] = str(work)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for username, person in settings.PEOPLE.items():
        User.objects.create_user(username, password=person["password"])
    Application.objects.create(
        name="Coach Academy",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
