"""The evaluation figures, from stored answers to the published numbers.

Expected values are worked out here person by person, with NumPy and SciPy called
directly on plain lists, and compared with what ``build_report`` gets from the
database's frequency tables.
"""

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from django.utils import timezone
from scipy import stats

from accounts.models import Office
from accounts.roles import Role
from common.disclosure import SUPPRESSED, CountTable, recoverable
from content.curriculum import load_curriculum, parse_curriculum
from content.models import ModulePage
from evaluation.report import ReportError, ReportRequest, build_report
from evaluation.serialise import report_figures
from tests.assessments.builders import make_survey, survey_item
from tests.evaluation import answers
from tests.factories import UserFactory


@pytest.fixture
def module(db):
    spec = [m for m in parse_curriculum() if m.slug == "disclosure-conversations"]
    load_curriculum(modules=spec)
    return ModulePage.objects.get(slug="disclosure-conversations")


@pytest.fixture
def versions(module):
    return module.confidence_survey.latest_version, module.quiz.latest_version


def london():
    return list(Office.objects.filter(region__name="London and Essex").order_by("name"))


def north_west():
    return list(Office.objects.filter(region__name="North West").order_by("name"))


def person(office, role=Role.WORK_COACH):
    return UserFactory(office=office, role=role)


def full_journey(user, module, versions, pre, post, then, follow_up=None, quiz=(), rating=4):
    survey_version, quiz_version = versions
    answers.enrol(user, module, rating=rating)
    answers.survey(user, module, survey_version, "pre", pre)
    answers.survey(user, module, survey_version, "post", post, then=then)
    if follow_up is not None:
        answers.survey(user, module, survey_version, "follow_up", follow_up)
    if quiz:
        answers.quiz(user, module, quiz_version, "pre", quiz[0])
        answers.quiz(user, module, quiz_version, "post", quiz[1])


class TestItemStatistics:
    def test_sql_frequencies_match_person_by_person_statistics(self, module, versions):
        office = london()[0]
        pre, post, then, follow_up = [], [], [], []
        for i in range(30):
            p = 1 + i % 5
            q = min(5, p + i % 3)
            t = max(1, p - i % 2)
            f = q if i % 3 == 0 else None
            pre.append(p), post.append(q), then.append(t), follow_up.append(f)
            full_journey(person(office), module, versions, p, q, t, f)

        report = build_report(ReportRequest(module=module))
        item = report.main.items[0]
        pre_a, post_a, then_a = (np.array(x, dtype=float) for x in (pre, post, then))
        diff = post_a - pre_a
        assert item.n_pairs == 30
        assert item.change.mean_before == pytest.approx(pre_a.mean())
        assert item.change.median_before == pytest.approx(np.median(pre_a))
        assert item.change.mean_after == pytest.approx(post_a.mean())
        assert item.mean_then == pytest.approx(then_a.mean())
        assert item.change.mean_change == pytest.approx(diff.mean())
        half_width = stats.t.ppf(0.975, 29) * diff.std(ddof=1) / np.sqrt(30)
        assert item.change.ci_low == pytest.approx(diff.mean() - half_width)
        assert item.change.ci_high == pytest.approx(diff.mean() + half_width)
        assert item.change.improved == int((diff > 0).sum())
        assert item.change.same == int((diff == 0).sum())
        assert item.change.worse == 0
        expected_p = stats.wilcoxon(post_a - pre_a, zero_method="pratt").pvalue
        assert item.wilcoxon_p == pytest.approx(expected_p)
        ranks = stats.rankdata(np.abs(diff))
        expected_r = (ranks[diff > 0].sum() - ranks[diff < 0].sum()) / ranks.sum()
        assert item.rank_biserial == pytest.approx(expected_r)
        assert item.shift_then_pre.mean_change == pytest.approx((then_a - pre_a).mean())
        assert item.shift_post_then.mean_change == pytest.approx((post_a - then_a).mean())
        followed = [f for f in follow_up if f is not None]
        assert item.n_follow_up == len(followed)
        assert item.mean_follow_up == pytest.approx(np.mean(followed))
        # Every item was answered the same way, so the all-items scale is the same.
        scale = next(s for s in report.main.scales if s.key == "all")
        assert scale.n == 30
        assert scale.change.mean_change == pytest.approx(diff.mean())
        expected_t = stats.ttest_rel(post_a, pre_a)
        assert scale.test.t == pytest.approx(expected_t.statistic)
        assert scale.test.p == pytest.approx(expected_t.pvalue)
        assert scale.test.d_z == pytest.approx(diff.mean() / diff.std(ddof=1))

    def test_scale_score_is_the_mean_of_a_competencys_items(self, module, versions):
        survey_version, _ = versions
        items = list(survey_version.items.order_by("position"))
        office = london()[0]
        people_pre, people_post = [], []
        for i in range(12):
            pre = [1 + (i + n) % 5 for n in range(len(items))]
            post = [min(5, v + (n % 2)) for n, v in enumerate(pre)]
            people_pre.append(pre), people_post.append(post)
            full_journey(person(office), module, versions, pre, post, pre)
        report = build_report(ReportRequest(module=module))
        competency = items[0].competency
        positions = [n for n, item in enumerate(items) if item.competency == competency]
        pre_scores = np.array([np.mean([p[n] for n in positions]) for p in people_pre])
        post_scores = np.array([np.mean([p[n] for n in positions]) for p in people_post])
        scale = next(s for s in report.main.scales if s.key == competency)
        assert scale.items == len(positions)
        assert scale.change.mean_before == pytest.approx(pre_scores.mean())
        assert scale.change.mean_after == pytest.approx(post_scores.mean())
        expected = stats.ttest_rel(post_scores, pre_scores)
        assert scale.test.p == pytest.approx(expected.pvalue)

    def test_reverse_coded_items_are_scored_so_higher_is_better(self, module):
        survey = make_survey(
            items=[survey_item("I avoid the subject", reverse=True), survey_item("I ask")]
        )
        module.confidence_survey = survey
        module.save()
        version = survey.latest_version
        office = london()[0]
        for _ in range(10):
            user = person(office)
            answers.enrol(user, module)
            answers.survey(user, module, version, "pre", [4, 2])
            answers.survey(user, module, version, "post", [2, 4], then=[4, 2])
        report = build_report(ReportRequest(module=module, survey_version=version))
        reverse, plain = report.main.items
        assert reverse.reverse_coded
        # 4 then 2 on a reverse-coded 1–5 item scores 2 then 4: a gain of 2.
        assert reverse.change.mean_before == 2
        assert reverse.change.mean_change == 2
        assert plain.change.mean_change == 2
        assert next(s for s in report.main.scales if s.key == "all").change.mean_change == 2
        # The answer distribution is shown as answered.
        figures = report_figures(report)
        assert figures["items"][0]["distribution_pre"]["4"] == 100.0


class TestKnowledge:
    def test_per_person_percentages_and_mcnemar_per_question(self, module, versions):
        _, quiz_version = versions
        n_questions = quiz_version.questions.count()
        office = london()[0]
        table = {(1, 1): 4, (1, 0): 2, (0, 1): 7, (0, 0): 3}
        pre_scores, post_scores = [], []
        for (before, after), count in table.items():
            for _ in range(count):
                user = person(office)
                # Question 1 as the table says; the rest right after, wrong before.
                pre = [bool(before)] + [False] * (n_questions - 1)
                post = [bool(after)] + [True] * (n_questions - 1)
                full_journey(user, module, versions, 2, 3, 2, quiz=(pre, post))
                pre_scores.append(100 * sum(pre) / n_questions)
                post_scores.append(100 * sum(post) / n_questions)
        # A retake after the first post attempt is not counted.
        retaker = person(office)
        full_journey(retaker, module, versions, 2, 3, 2, quiz=([False] * 8, [False] * 8))
        answers.quiz(retaker, module, quiz_version, "post", True, number=2)
        pre_scores.append(0.0)
        post_scores.append(0.0)

        knowledge = build_report(ReportRequest(module=module)).main.knowledge
        assert knowledge.n == 17
        assert knowledge.change.mean_before == pytest.approx(np.mean(pre_scores))
        assert knowledge.change.mean_after == pytest.approx(np.mean(post_scores))
        first = knowledge.questions[0].result
        assert (first.n, first.correct_before, first.correct_after) == (17, 6, 11)
        assert (first.only_after, first.only_before) == (7, 2)
        assert first.p == pytest.approx(stats.binomtest(7, 9, 0.5).pvalue)

    def test_reaction_rating(self, module, versions):
        office = london()[0]
        ratings = [5, 4, 4, 3, 5, 2, 4, 5, 4, 3, 1]
        for rating in ratings:
            full_journey(person(office), module, versions, 2, 3, 2, rating=rating)
        reaction = build_report(ReportRequest(module=module)).main.reaction
        assert reaction.n == len(ratings)
        assert reaction.mean == pytest.approx(np.mean(ratings))
        assert reaction.median == np.median(ratings)
        assert [round(share.percent, 1) for share in reaction.distribution] == [
            round(100 * ratings.count(v) / len(ratings), 1) for v in range(1, 6)
        ]


class TestVersionsAndPeople:
    def republish(self, survey):
        raw = list(survey.items.raw_data)
        raw[0] = {**raw[0], "value": {**raw[0]["value"], "statement": "A reworded statement"}}
        survey.items = raw
        survey.save_revision().publish()
        return survey.versions.order_by("-number").first()

    def test_answers_to_different_versions_are_never_paired(self, module, versions, settings):
        settings.EVALUATION_DISCLOSURE_K = 1  # this test is about pairing, not suppression
        v1, _ = versions
        office = london()[0]
        for _ in range(10):
            full_journey(person(office), module, versions, 2, 4, 2)
        v2 = self.republish(module.confidence_survey)
        assert v2.number == 2
        straddler = person(office)
        answers.enrol(straddler, module)
        answers.survey(straddler, module, v1, "pre", 1)
        answers.survey(straddler, module, v2, "post", 5, then=1)

        first = report_figures(build_report(ReportRequest(module=module, survey_version=v1)))
        assert first["survey_version"] == 1
        assert first["attrition"][0]["paired"] == 10
        assert first["attrition"][0]["pre_only"] == 1
        assert first["items"][0]["mean_change"] == 2.0
        second = report_figures(build_report(ReportRequest(module=module, survey_version=v2)))
        assert second["survey_version"] == 2
        assert second["attrition"][0]["paired"] == 0
        assert second["attrition"][0]["post_only"] == 1
        assert second["items"][0]["n_pairs"] == 0
        assert second["items"][0]["statement"] == "A reworded statement"

    def test_people_who_opted_out_count_nowhere(self, module, versions):
        office = london()[0]
        for _ in range(10):
            full_journey(person(office), module, versions, 2, 3, 2, quiz=(False, True), rating=4)
        before = report_figures(build_report(ReportRequest(module=module)))
        objector = person(office)
        full_journey(objector, module, versions, 1, 5, 1, 5, quiz=(True, False), rating=1)
        answers.opt_out(objector)
        after = report_figures(build_report(ReportRequest(module=module)))
        assert after == before
        assert after["attrition"][0]["enrolled"] == 10

    def test_a_later_choice_to_take_part_counts_again(self, module, versions):
        office = london()[0]
        people = [person(office) for _ in range(10)]
        for user in people:
            full_journey(user, module, versions, 2, 3, 2)
        answers.opt_out(people[0])
        assert build_report(ReportRequest(module=module)).main.attrition["enrolled"] == SUPPRESSED
        from learning.models import EvaluationChoice

        EvaluationChoice.objects.create(
            user=people[0], opted_out=False, chosen_at=timezone.now() + timedelta(seconds=1)
        )
        assert build_report(ReportRequest(module=module)).main.attrition["enrolled"] == 10

    def test_dates_select_people_by_the_day_they_started(self, module, versions):
        office = london()[0]
        early = timezone.make_aware(datetime(2026, 1, 15, 9))
        late = timezone.make_aware(datetime(2026, 3, 15, 9))
        for started in [early] * 10 + [late] * 12:
            user = person(office)
            full_journey(user, module, versions, 2, 3, 2)
            user.enrolments.update(started_at=started)
        request = ReportRequest(module=module, since=date(2026, 3, 1))
        assert build_report(request).main.attrition["enrolled"] == 12
        request = ReportRequest(module=module, until=date(2026, 1, 15))
        assert build_report(request).main.attrition["enrolled"] == 10
        with pytest.raises(ReportError, match="start date"):
            build_report(
                ReportRequest(module=module, since=date(2026, 3, 2), until=date(2026, 3, 1))
            )

    def test_roles_and_places_are_not_crossed(self, module):
        with pytest.raises(ReportError, match="role or a place"):
            build_report(ReportRequest(module=module, role=Role.WORK_COACH.value, by="region"))
        office = london()[0]
        with pytest.raises(ReportError, match="role or a place"):
            build_report(ReportRequest(module=module, role="Team leader", office=office))

    def test_breakdown_by_role(self, module, versions):
        office = london()[0]
        for _ in range(12):
            full_journey(person(office), module, versions, 2, 4, 2)
        for _ in range(11):
            full_journey(person(office, Role.TEAM_LEADER), module, versions, 3, 4, 3)
        figures = report_figures(build_report(ReportRequest(module=module, by="role")))
        rows = {row["group"]: row for row in figures["attrition"]}
        assert rows["Work coach"]["paired"] == 12
        assert rows["Team leader"]["paired"] == 11
        changes = {
            row["group"]: row["mean_change"] for row in figures["scales"] if row["scale"] == "all"
        }
        assert changes == {
            "All coaches": pytest.approx(1.52, abs=0.01),
            "Work coach": 2.0,
            "Team leader": 1.0,
        }


class Unchecked(CountTable):
    """A table of published figures: the hidden values are unknown, so the sums
    cannot be checked, only solved."""

    def __init__(self, values, relations):
        super().__init__(values=dict.fromkeys(values, 0), relations=relations)


def published_table(figures, tree_children):
    """The attrition figures as a CountTable, with the cells shown as [c]."""
    columns = ["neither", "pre_only", "post_only", "paired"]
    values, hidden, relations = {}, set(), []
    for row in figures["attrition"]:
        for column in ["enrolled", *columns]:
            values[(row["group"], column)] = row.get(column)
            if row.get(column) == SUPPRESSED:
                hidden.add((row["group"], column))
        relations.append(((row["group"], "enrolled"), [(row["group"], c) for c in columns]))
    for parent, children in tree_children.items():
        for column in ["enrolled", *columns]:
            relations.append(((parent, column), [(child, column) for child in children]))
    # Only which cells are unknown matters to the check, not the hidden values, so
    # hidden cells are given values that keep every sum consistent: zero, with the
    # shown totals left out of the sums they belong to.
    return values, relations, hidden


class TestDisclosureControl:
    @pytest.fixture
    def offices(self, module, versions):
        """London: 30 people in one office and 3 in another; North West: 25."""
        big, small = london()[:2]
        other = north_west()[0]
        for office, count in ((big, 30), (small, 3), (other, 25)):
            for i in range(count):
                full_journey(person(office), module, versions, 2, 3 + i % 2, 2, quiz=(False, True))
        return big, small, other

    def test_small_offices_are_hidden_with_a_second_cell(self, module, offices):
        big, small, other = offices
        figures = report_figures(build_report(ReportRequest(module=module, by="office")))
        rows = {row["group"]: row for row in figures["attrition"]}
        assert rows[small.name]["enrolled"] == SUPPRESSED
        # London's total (33) is shown in the region breakdown, so the small office
        # could be worked out from it: the big office is hidden as well.
        assert rows[big.name]["enrolled"] == SUPPRESSED
        assert rows[other.name]["enrolled"] == 25
        assert rows["All coaches"]["enrolled"] == 58
        for row in figures["items"]:
            if row["group"] in (small.name, big.name):
                assert row["n_pairs"] == row["mean_change"] == row["wilcoxon_p"] == SUPPRESSED
        for row in figures["knowledge"] + figures["reaction"]:
            if row["group"] in (small.name, big.name):
                assert row["n_pairs" if "n_pairs" in row else "n"] == SUPPRESSED
        # No count below the threshold is shown anywhere.
        for row in figures["attrition"]:
            for key, value in row.items():
                if key != "group" and isinstance(value, int):
                    assert value == 0 or value >= 10

    def test_a_hidden_office_cannot_be_recovered_from_the_region_total(self, module, offices):
        big, small, _ = offices
        regions = report_figures(build_report(ReportRequest(module=module, by="region")))
        by_office = report_figures(build_report(ReportRequest(module=module, by="office")))
        london_row = next(r for r in regions["attrition"] if r["group"] == "London and Essex")
        assert london_row["enrolled"] == 33
        shown_in_london = [
            row["enrolled"]
            for row in by_office["attrition"]
            if row["group"] in {o.name for o in london()} and row["enrolled"] != SUPPRESSED
        ]
        # Subtracting what is shown leaves the two hidden offices together, never one.
        assert 33 - sum(shown_in_london) == 33
        # And exactly: every hidden cell in the published rows stays unknown.
        combined = {"London and Essex": [o.name for o in london()]}
        combined["All coaches"] = sorted(
            {r["group"] for r in regions["attrition"]} - {"All coaches"}
        )
        figures = {"attrition": by_office["attrition"] + regions["attrition"][1:]}
        values, relations, hidden = published_table(figures, combined)
        assert hidden
        assert recoverable(Unchecked(values, relations), hidden) == set()

    def test_filtering_to_a_hidden_office_shows_nothing_new(self, module, offices):
        big, small, other = offices
        for office in (small, big):
            figures = report_figures(build_report(ReportRequest(module=module, office=office)))
            assert figures["attrition"][0]["enrolled"] == SUPPRESSED
            assert all(row["mean_change"] == SUPPRESSED for row in figures["items"])
        shown = report_figures(build_report(ReportRequest(module=module, office=other)))
        assert shown["attrition"][0]["enrolled"] == 25

    def test_follow_up_figures_rest_on_the_people_followed_up(self, module, versions):
        office = london()[0]
        for i in range(20):
            follow_up = 4 if i < 4 else None
            full_journey(person(office), module, versions, 2, 3, 2, follow_up)
        figures = report_figures(build_report(ReportRequest(module=module)))
        item = figures["items"][0]
        assert item["n_pairs"] == 20
        assert item["mean_change"] == 1.0
        assert item["n_follow_up"] == item["mean_follow_up"] == SUPPRESSED
        assert figures["attrition"][0]["followed_up"] == SUPPRESSED

    def test_the_threshold_comes_from_settings(self, module, versions, settings):
        office = london()[0]
        for _ in range(6):
            full_journey(person(office), module, versions, 2, 3, 2)
        assert build_report(ReportRequest(module=module)).main.attrition["paired"] == SUPPRESSED
        settings.EVALUATION_DISCLOSURE_K = 5
        assert build_report(ReportRequest(module=module)).main.attrition["paired"] == 6
