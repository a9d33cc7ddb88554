from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter

from . import mfa


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators, who know each person's office and
    role; nobody signs themselves up."""

    def is_open_for_signup(self, request):
        return False


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
