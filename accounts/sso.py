"""Single sign-on: what an OpenID Connect provider's answer means here.

The rules, written down in docs/security.md as well:

* **Linking.** A sign-in through the provider finds its account by the provider's
  subject (``sub``) once linked. Before that it is linked to a local account only
  by an email address the provider says is verified (``email_verified: true``, or
  an address in ``OIDC_VERIFIED_EMAIL_DOMAINS``). Without a verified address the
  sign-in is refused, so nobody can take over an account by putting someone
  else's address on an identity they control.
* **Role and office.** Where the provider sends the role claim with a value in
  ``OIDC_ROLE_MAP``, the person's roles become the mapped ones at every sign-in
  (the organisation's directory is the source of truth); where it sends an office
  that matches one here by name or slug, that becomes their office. A claim that
  is missing or matches nothing changes nothing; a new account then starts as a
  work coach with no office.
* **Two-factor.** The sign-in counts as two-factor only when the ID token's
  ``amr`` claim holds one of ``OIDC_MFA_AMR_VALUES``; the decision is kept in the
  session under ``MFA_ASSERTED_SESSION_KEY`` for this sign-in only.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q

from .models import Office
from .roles import Role

logger = logging.getLogger(__name__)

MFA_ASSERTED_SESSION_KEY = "sso_mfa_asserted"
DEFAULT_ROLE = Role.WORK_COACH


def id_token_claims(sociallogin) -> dict:
    """The claims of the ID token allauth checked (signature, issuer, audience)."""
    return (sociallogin.account.extra_data or {}).get("id_token") or {}


def claims(sociallogin) -> dict:
    """Everything the provider said about the person: the user-info answer, with
    the ID token's claims taking precedence (Entra ID sends roles only there)."""
    extra = sociallogin.account.extra_data or {}
    return {**(extra.get("userinfo") or {}), **(extra.get("id_token") or {})}


def _values(claim) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, Iterable):
        return [str(value) for value in claim]
    return [str(claim)]


def mfa_asserted(sociallogin) -> bool:
    accepted = {value.lower() for value in settings.OIDC_MFA_AMR_VALUES}
    amr = _values(id_token_claims(sociallogin).get("amr"))
    return any(value.lower() in accepted for value in amr)


def has_verified_email(sociallogin) -> bool:
    # allauth has already applied OIDC_VERIFIED_EMAIL_DOMAINS to these.
    return any(address.verified for address in sociallogin.email_addresses)


def mapped_roles(all_claims: dict) -> list[Role]:
    if not settings.OIDC_ROLE_CLAIM:
        return []
    role_map = settings.OIDC_ROLE_MAP
    names = {
        role_map[v] for v in _values(all_claims.get(settings.OIDC_ROLE_CLAIM)) if v in role_map
    }
    return [role for role in Role if role.value in names]


def mapped_office(all_claims: dict) -> Office | None:
    if not settings.OIDC_OFFICE_CLAIM:
        return None
    value = all_claims.get(settings.OIDC_OFFICE_CLAIM)
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    offices = list(Office.objects.filter(Q(name__iexact=value) | Q(slug__iexact=value))[:2])
    if len(offices) != 1:
        # Two offices of that name in different regions: choosing one would be a guess.
        if offices:
            logger.warning("Single sign-on: office %r matches more than one office", value)
        return None
    return offices[0]


@transaction.atomic
def apply_claims(user, sociallogin, *, new: bool) -> None:
    """Give ``user`` the roles and office the provider's claims map to."""
    all_claims = claims(sociallogin)
    roles = mapped_roles(all_claims)
    if not roles and new:
        roles = [DEFAULT_ROLE]
    if roles:
        role_groups = Group.objects.filter(name__in=[role.value for role in Role])
        wanted = list(Group.objects.filter(name__in=[role.value for role in roles]))
        current = set(user.groups.filter(pk__in=role_groups).values_list("name", flat=True))
        if current != {group.name for group in wanted}:
            user.groups.remove(*role_groups)
            user.groups.add(*wanted)
            logger.info(
                "Single sign-on: user %s roles %s -> %s",
                user.pk,
                sorted(current),
                sorted(group.name for group in wanted),
            )
    office = mapped_office(all_claims)
    if office is not None and user.office_id != office.pk:
        user.office = office
        user.save(update_fields=["office"])
        logger.info("Single sign-on: user %s office -> %s", user.pk, office.slug)


def confirm_address(user, sociallogin) -> None:
    """The provider vouched for the person's address: record it as confirmed here,
    so that the first sign-in through the provider is not stopped to confirm it by
    email. (allauth has already removed any password set by whoever had the
    account before the address was confirmed.)"""
    from allauth.account.models import EmailAddress

    if not any(
        address.verified and address.email.lower() == user.email.lower()
        for address in sociallogin.email_addresses
    ):
        return
    address, created = EmailAddress.objects.get_or_create(
        user=user,
        email=user.email,
        defaults={"verified": True, "primary": not user.emailaddress_set.exists()},
    )
    if not created and not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


def record_mfa_assertion(request, sociallogin) -> None:
    """At the start of every sign-in: whether this one was two-factor at the
    provider. Only a single sign-on can say yes; any other sign-in clears it."""
    if sociallogin is not None and mfa_asserted(sociallogin):
        request.session[MFA_ASSERTED_SESSION_KEY] = True
    else:
        request.session.pop(MFA_ASSERTED_SESSION_KEY, None)
