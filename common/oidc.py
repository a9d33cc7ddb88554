"""Single sign-on settings, built from environment variables.

Plain functions so that ``config/settings/base.py`` and the tests build the same
allauth configuration from the same values.
"""

from collections.abc import Iterable

# Authentication method references (RFC 8176) that stand for a second factor or a
# phishing-resistant key: "mfa" itself, one-time passwords, hardware and software
# keys, FIDO, and "mca" (multiple-channel authentication).
DEFAULT_MFA_AMR_VALUES = ("mfa", "otp", "hwk", "swk", "fido", "mca")


class SSOConfigurationError(ValueError):
    """An SSO environment variable is set to something that cannot work."""


def parse_role_map(text: str, role_names: Iterable[str]) -> dict[str, str]:
    """``"claim-value=Role name;other=Other role"`` as ``{claim value: role name}``.

    Role names must be the service's own (case-insensitive); a typo would otherwise
    put people silently in the default role.
    """
    roles = {name.lower(): name for name in role_names}
    mapping: dict[str, str] = {}
    for pair in text.split(";"):
        if not pair.strip():
            continue
        value, sep, role = pair.partition("=")
        value, role = value.strip(), role.strip()
        if not sep or not value or not role:
            raise SSOConfigurationError(
                f"OIDC_ROLE_MAP: {pair.strip()!r} is not of the form claim-value=Role"
            )
        if role.lower() not in roles:
            raise SSOConfigurationError(
                f"OIDC_ROLE_MAP: {role!r} is not a role (roles: {', '.join(roles.values())})"
            )
        mapping[value] = roles[role.lower()]
    return mapping


def socialaccount_providers(
    *,
    server_url: str,
    client_id: str,
    client_secret: str,
    provider_id: str,
    provider_name: str,
    verified_email_domains: Iterable[str] = (),
) -> dict:
    """allauth's ``SOCIALACCOUNT_PROVIDERS`` for one OpenID Connect provider, or for
    none when the server URL or client id is empty (single sign-on off)."""
    apps = []
    if server_url and client_id:
        if not client_secret:
            raise SSOConfigurationError(
                "OIDC_CLIENT_SECRET is required when OIDC_SERVER_URL and OIDC_CLIENT_ID are set"
            )
        settings = {
            "server_url": server_url,
            # PKCE as well as the client secret: a stolen code is of no use alone.
            "oauth_pkce_enabled": True,
        }
        domains = [d.strip().lower() for d in verified_email_domains if d.strip()]
        if domains:
            # allauth treats addresses in these domains as verified even when the
            # provider sends no "email_verified" claim (Entra ID does not).
            settings["verified_email"] = domains
        apps.append(
            {
                "provider_id": provider_id,
                "name": provider_name,
                "client_id": client_id,
                "secret": client_secret,
                "settings": settings,
            }
        )
    return {"openid_connect": {"APPS": apps}}
