from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


def person(user) -> dict:
    return settings.PEOPLE[user.username]


class ClaimsValidator(OAuth2Validator):
    """Sends each person's claims as ``people.json`` gives them: the standard ones
    (email, email_verified, names) and the directory's own (roles, office) in the
    ID token and the user-info answer; ``amr`` in the ID token only, as providers do."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "roles": "openid",
        "office": "openid",
    }

    def get_additional_claims(self, request):
        return dict(person(request.user).get("claims", {}))

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        amr = person(request.user).get("amr")
        if amr is not None:
            claims["amr"] = amr
        return claims, expiration_time
