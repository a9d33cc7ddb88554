from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.shortcuts import render

from . import mfa, sso


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators, who know each person's office and
    role; nobody signs themselves up. (Single sign-on creates accounts from the
    organisation's directory: see ``SocialAccountAdapter``.)"""

    def is_open_for_signup(self, request):
        return False

    def pre_login(self, request, user, **kwargs):
        # Every sign-in, password or single sign-on, starts here before any
        # two-factor step, so the decision is made afresh each time.
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        sso.record_mfa_assertion(request, sociallogin)
        if sociallogin is not None:
            sso.confirm_address(user, sociallogin)
        return super().pre_login(request, user, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    """Refuses to remove the last authenticator of someone whose role needs
    two-factor authentication (the rule is in ``accounts.mfa``)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "You cannot turn off two-factor authentication, because your role needs it"
        ),
    }

    def can_delete_authenticator(self, authenticator):
        return mfa.may_remove(context.request, authenticator)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on through the organisation's OpenID Connect provider: creates
    or links the account, by verified email only, and keeps role and office in
    step with the provider's claims (rules in ``accounts/sso.py``)."""

    def is_open_for_signup(self, request, sociallogin):
        return True

    def pre_social_login(self, request, sociallogin):
        if not sociallogin.is_existing and not sso.has_verified_email(sociallogin):
            raise ImmediateHttpResponse(
                render(
                    request,
                    "socialaccount/email_not_verified.html",
                    {"provider_name": sociallogin.provider.name},
                    status=403,
                )
            )
        if sociallogin.is_existing:
            sso.apply_claims(sociallogin.user, sociallogin, new=False)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        sso.apply_claims(user, sociallogin, new=True)
        return user
