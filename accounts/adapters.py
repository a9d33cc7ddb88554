from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators, who know each person's office and
    role; nobody signs themselves up."""

    def is_open_for_signup(self, request):
        return False
