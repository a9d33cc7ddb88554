"""The evaluator pages and ``evaluation_report``: who gets in, what they see, and that
the page and the command line give the same figures."""

import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.roles import Role
from common.disclosure import SUPPRESSED
from content.models import ModulePage
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fresh_cache():
    """Figures are cached between requests; each test starts without them."""
    cache.clear()


@pytest.fixture
def seeded(db, curriculum):
    """The three starter modules and a small synthetic cohort."""
    call_command("seed_cohort", coaches=400, seed=3, stdout=io.StringIO())
    return list(ModulePage.objects.live().order_by("path"))


@pytest.fixture
def evaluator_client(client, db):
    client.force_login(UserFactory(role=Role.EVALUATOR, office=None))
    return client


def report_json(*args) -> dict:
    out = io.StringIO()
    call_command("evaluation_report", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


class TestAccess:
    @pytest.mark.parametrize(
        "role", [Role.WORK_COACH, Role.TEAM_LEADER, Role.TRAINER, Role.ADMINISTRATOR]
    )
    def test_only_evaluators_get_in(self, client, curriculum, role):
        client.force_login(UserFactory(role=role))
        assert client.get(reverse("evaluation:overview")).status_code == 403
        url = reverse("evaluation:module", args=["disclosure-conversations"])
        assert client.get(url).status_code == 403

    def test_superuser_status_alone_is_not_enough(self, client, curriculum):
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        assert client.get(reverse("evaluation:overview")).status_code == 403

    def test_the_permission_given_directly_is_enough(self, client, curriculum):
        user = UserFactory()
        user.user_permissions.add(Permission.objects.get(codename="view_evaluation"))
        client.force_login(user)
        assert client.get(reverse("evaluation:overview")).status_code == 200

    def test_signed_out_people_are_sent_to_sign_in(self, client, curriculum):
        response = client.get(reverse("evaluation:overview"))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]

    def test_evaluators_see_the_link_and_coaches_do_not(self, client, evaluator_client, curriculum):
        assert "/evaluation/" in evaluator_client.get(reverse("learning:dashboard")).text
        client.force_login(UserFactory(role=Role.WORK_COACH))
        assert "/evaluation/" not in client.get(reverse("learning:dashboard")).text


class TestPages:
    def test_every_module_has_its_tables_and_charts(self, evaluator_client, seeded):
        overview = evaluator_client.get(reverse("evaluation:overview"))
        assert overview.status_code == 200
        for module in seeded:
            assert module.title in overview.text
            response = evaluator_client.get(reverse("evaluation:module", args=[module.slug]))
            assert response.status_code == 200
            page = response.text
            for heading in (
                "Who took part",
                "Confidence, item by item",
                "Response shift",
                "Confidence scales",
                "Change by region",
                "Knowledge",
                "How useful people found it",
            ):
                assert heading in page
            # Both charts, each with its table alternative.
            assert 'id="distribution-chart"' in page
            assert 'id="breakdown-chart"' in page
            assert "Show the chart as a table" in page
            assert "chart.umd.min.js" in page
            figures = response.context["figures"]
            assert figures["items"] and figures["scales"] and figures["questions"]
            assert isinstance(figures["attrition"][0]["paired"], int)

    def test_no_names_emails_or_staff_numbers(self, evaluator_client, seeded):
        from accounts.models import User

        coach = User.objects.filter(email__endswith="@synthetic.invalid").first()
        User.objects.filter(pk=coach.pk).update(staff_number="ZX123456")
        for url in (
            reverse("evaluation:overview"),
            reverse("evaluation:module", args=[seeded[0].slug]) + "?by=office",
        ):
            page = evaluator_client.get(url).text
            assert "@synthetic.invalid" not in page
            assert "Synthetic" not in page
            assert "ZX123456" not in page

    def test_the_page_and_the_command_give_the_same_figures(self, evaluator_client, seeded):
        for module in seeded:
            for by in ("region", "office", "role"):
                url = reverse("evaluation:module", args=[module.slug]) + f"?by={by}"
                page = evaluator_client.get(url).context["figures"]
                assert report_json("--module", module.slug, "--by", by) == page

    def test_filters_narrow_the_figures(self, evaluator_client, seeded):
        from accounts.models import Region

        region = Region.objects.get(name="North West")
        url = reverse("evaluation:module", args=[seeded[0].slug])
        figures = evaluator_client.get(url, {"region": region.slug, "by": "office"}).context[
            "figures"
        ]
        assert figures["attrition"][0]["group"] == "North West"
        offices = {row["group"] for row in figures["attrition"][1:]}
        assert offices == set(region.offices.values_list("name", flat=True))

    def test_bad_filters_get_an_error_summary(self, evaluator_client, seeded):
        url = reverse("evaluation:module", args=[seeded[0].slug])
        response = evaluator_client.get(
            url,
            {"since": "2026-05-02", "until": "2026-05-01", "role": "Team leader", "by": "region"},
        )
        assert response.status_code == 200
        assert "There is a problem" in response.text
        assert "The last start date must be on or after the first" in response.text
        assert "Choose a role or a place, not both" in response.text
        assert response.context["figures"] is None
        response = evaluator_client.get(url, {"since": "not a date"})
        assert "Enter the first start date as a real date" in response.text

    def test_unknown_module_is_not_found(self, evaluator_client, curriculum):
        assert evaluator_client.get(reverse("evaluation:module", args=["nope"])).status_code == 404


class TestCommand:
    def test_json_has_one_object_per_item_with_the_agreed_keys(self, seeded):
        figures = report_json("--module", seeded[0].slug, "--by", "office")
        keys = {
            "item_key",
            "n_pairs",
            "mean_pre",
            "mean_post",
            "mean_change",
            "ci_low",
            "ci_high",
            "wilcoxon_p",
            "rank_biserial",
        }
        items = seeded[0].confidence_survey.latest_version.items.count()
        groups = len(figures["attrition"])
        assert len(figures["items"]) == items * groups
        for row in figures["items"]:
            assert keys <= row.keys()
            if row["n_pairs"] == SUPPRESSED:
                assert all(row[key] == SUPPRESSED for key in keys - {"item_key"})
        # Small offices are in the synthetic cohort, so something is suppressed.
        assert any(row["n_pairs"] == SUPPRESSED for row in figures["items"])

    def test_text_output(self, seeded):
        out = io.StringIO()
        call_command("evaluation_report", "--module", seeded[0].slug, stdout=out)
        text = out.getvalue()
        assert seeded[0].title in text
        assert "Confidence items (before vs after, paired)" in text
        assert "Pratt" in text

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--module", "no-such-module"], "There is no module with the slug 'no-such-module'."),
            (["--survey-version", "9"], "The module's survey has no version 9."),
            (["--since", "yesterday"], "'yesterday' is not a date in the form YYYY-MM-DD."),
            (
                ["--since", "2026-05-02", "--until", "2026-05-01"],
                "The start date must be on or before the end date.",
            ),
            (["--region", "atlantis"], "There is no region with the slug 'atlantis'."),
            (["--role", "Team leader", "--by", "office"], "Choose a role or a place, not both"),
        ],
    )
    def test_bad_arguments_exit_2_with_one_line(self, curriculum, args, message):
        if "--module" not in args:
            args = ["--module", "disclosure-conversations", *args]
        with pytest.raises(CommandError) as error:
            call_command("evaluation_report", *args, stdout=io.StringIO())
        assert error.value.returncode == 2
        assert message in str(error.value)
        assert "\n" not in str(error.value)


def test_a_new_opt_out_shows_at_once(evaluator_client, seeded):
    from learning.models import Enrolment
    from tests.evaluation import answers

    module = seeded[0]
    url = reverse("evaluation:module", args=[module.slug])
    before = evaluator_client.get(url).context["figures"]["attrition"][0]["enrolled"]
    enrolment = Enrolment.objects.filter(module=module).exclude(
        user__evaluation_choices__opted_out=True
    )[0]
    answers.opt_out(enrolment.user)
    after = evaluator_client.get(url).context["figures"]["attrition"][0]["enrolled"]
    assert after == before - 1
