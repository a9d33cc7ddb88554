"""What the provider's claims mean here, without the provider: the amr rule and
the role and office mapping (the round trips in test_round_trip.py use them)."""

from types import SimpleNamespace

import pytest

from accounts import sso
from accounts.roles import Role
from tests.factories import OfficeFactory, RegionFactory


def login_with(id_token=None, userinfo=None):
    extra = {}
    if id_token is not None:
        extra["id_token"] = id_token
    if userinfo is not None:
        extra["userinfo"] = userinfo
    return SimpleNamespace(account=SimpleNamespace(extra_data=extra))


@pytest.mark.parametrize(
    ("amr", "asserted"),
    [
        (["pwd", "mfa"], True),
        (["otp"], True),
        (["HWK"], True),
        (["pwd", "fido"], True),
        ("mfa", True),
        (["pwd"], False),
        (["pwd", "rsa"], False),
        ([], False),
        (None, False),
    ],
)
def test_amr_in_the_id_token_decides(amr, asserted):
    token = {} if amr is None else {"amr": amr}
    assert sso.mfa_asserted(login_with(id_token=token)) is asserted


def test_amr_in_the_user_info_answer_counts_for_nothing():
    assert not sso.mfa_asserted(login_with(id_token={}, userinfo={"amr": ["mfa"]}))


def test_the_accepted_amr_values_are_a_setting(settings):
    settings.OIDC_MFA_AMR_VALUES = ["fido"]
    assert not sso.mfa_asserted(login_with(id_token={"amr": ["mfa"]}))
    assert sso.mfa_asserted(login_with(id_token={"amr": ["fido"]}))


def test_roles_map_from_a_list_or_a_single_value(settings):
    settings.OIDC_ROLE_CLAIM = "roles"
    settings.OIDC_ROLE_MAP = {"ca-trainer": "Trainer", "ca-eval": "Evaluator"}
    assert sso.mapped_roles({"roles": ["other", "ca-eval", "ca-trainer"]}) == [
        Role.TRAINER,
        Role.EVALUATOR,
    ]
    assert sso.mapped_roles({"roles": "ca-eval"}) == [Role.EVALUATOR]
    assert sso.mapped_roles({"roles": ["unmapped"]}) == []
    assert sso.mapped_roles({}) == []


def test_office_matches_by_name_or_slug_and_never_guesses(settings, db):
    settings.OIDC_OFFICE_CLAIM = "office"
    north = RegionFactory(name="North", slug="north")
    south = RegionFactory(name="South", slug="south")
    riverside_north = OfficeFactory(name="Riverside", slug="riverside-north", region=north)
    OfficeFactory(name="Riverside", slug="riverside-south", region=south)
    hilltop = OfficeFactory(name="Hilltop", slug="hilltop", region=south)

    assert sso.mapped_office({"office": "hilltop"}) == hilltop
    assert sso.mapped_office({"office": " HILLTOP "}) == hilltop
    assert sso.mapped_office({"office": "Riverside-North"}) == riverside_north
    # The same name in two regions: ambiguous, so no office is set.
    assert sso.mapped_office({"office": "Riverside"}) is None
    assert sso.mapped_office({"office": "Nowhere"}) is None
    assert sso.mapped_office({"office": ["hilltop"]}) is None
    settings.OIDC_OFFICE_CLAIM = ""
    assert sso.mapped_office({"office": "hilltop"}) is None
