"""Two-factor authentication policy: who must use it, and whether a request meets it.

The one place that answers "does this person need two-factor authentication?" and
"is it satisfied for this request?". The middleware that guards the admin and the
evaluation area, the MFA adapter that refuses to remove a last authenticator, and the
set-up page's explanation all ask here.
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from .roles import Role

# Set to True by the single sign-on flow when the identity provider asserts that the
# person used multi-factor authentication (the ``amr`` claim).
SSO_MFA_SESSION_KEY = "sso_mfa_asserted"

# These roles reach the admin, row-level exports or both: they always need it.
ALWAYS_REQUIRED_ROLES = [Role.TRAINER.value, Role.EVALUATOR.value, Role.ADMINISTRATOR.value]

# Authenticators that are a second factor on their own. Recovery codes are a fallback
# that comes with one of these, never a substitute.
SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def required_roles() -> list[str]:
    """The roles (group names) whose members must use two-factor authentication: the
    privileged roles, plus any others named in ``MFA_REQUIRED_ROLES``. The setting can
    add roles; it cannot take the privileged ones away."""
    extra = getattr(settings, "MFA_REQUIRED_ROLES", [])
    return list(dict.fromkeys([*ALWAYS_REQUIRED_ROLES, *extra]))


def mfa_required(user: AbstractBaseUser) -> bool:
    """Whether this person must use two-factor authentication: superusers, and anyone
    holding one of the required roles."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=required_roles()).exists()


def has_second_factor(user: AbstractBaseUser, *, excluding: Authenticator | None = None) -> bool:
    authenticators = Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES)
    if excluding is not None:
        authenticators = authenticators.exclude(pk=excluding.pk)
    return authenticators.exists()


def sso_asserted_mfa(request: HttpRequest) -> bool:
    return request.session.get(SSO_MFA_SESSION_KEY) is True


def mfa_satisfied(request: HttpRequest) -> bool:
    """Whether the signed-in person's two-factor authentication is in place for this
    request: their identity provider asserted it at single sign-on, or they have an
    authenticator (which allauth asks for at every sign-in, as no other sign-in path
    is left open)."""
    return sso_asserted_mfa(request) or has_second_factor(request.user)


def needs_mfa_set_up(request: HttpRequest) -> bool:
    """Whether this request must be sent to set up an authenticator first."""
    return mfa_required(request.user) and not mfa_satisfied(request)


def may_remove(request: HttpRequest | None, authenticator: Authenticator) -> bool:
    """Whether ``authenticator`` may be removed: not if it is the last second factor of
    someone who must use two-factor authentication (unless single sign-on provides it
    for this session)."""
    user = authenticator.user
    if not mfa_required(user):
        return True
    if request is not None and sso_asserted_mfa(request):
        return True
    return has_second_factor(user, excluding=authenticator)


def is_protected_path(path: str) -> bool:
    """Whether ``path`` is in an area that needs two-factor authentication for those
    whose role requires it (``MFA_PROTECTED_PATHS``, URL prefixes)."""
    return any(path.startswith(prefix) for prefix in settings.MFA_PROTECTED_PATHS)
