"""The team leader's view of their own office's progress."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from learning.models import Enrolment, Step
from learning.team import office_progress
from tests.factories import OfficeFactory, UserFactory

URL = "/learn/team/"


def text(response) -> str:
    """The page's HTML with runs of whitespace made single spaces."""
    return " ".join(response.content.decode().split())


def enrol(user, module, step, **fields):
    now = timezone.now()
    if step in (Step.COMPLETED, Step.FOLLOW_UP_DUE, Step.FOLLOWED_UP):
        fields.setdefault("completed_at", now)
    return Enrolment.objects.create(
        user=user, module=module, step=step, started_at=now - timedelta(days=3), **fields
    )


@pytest.fixture
def office(db):
    return OfficeFactory(name="Leeds Eastgate")


@pytest.fixture
def leader(office):
    return UserFactory(role=Role.TEAM_LEADER, office=office, first_name="Terry", last_name="Lead")


@pytest.fixture
def team(office, disclosure):
    """Five coaches in the office, one at each kind of status."""

    def coach(last_name):
        return UserFactory(
            role=Role.WORK_COACH, office=office, first_name="Coach", last_name=last_name
        )

    coach("Anders")  # not started
    enrol(coach("Brown"), disclosure, Step.LESSONS)
    enrol(coach("Clarke"), disclosure, Step.COMPLETED, passed=False)
    enrol(
        coach("Davies"),
        disclosure,
        Step.FOLLOW_UP_DUE,
        passed=True,
        follow_up_due_on=date(2025, 3, 4),
    )
    enrol(
        coach("Evans"),
        disclosure,
        Step.FOLLOWED_UP,
        passed=True,
        follow_up_due_on=date(2025, 3, 4),
        followed_up_at=timezone.make_aware(timezone.datetime(2025, 3, 10, 12)),
    )
    return disclosure


@pytest.fixture
def other_office_coach(disclosure):
    other = UserFactory(
        role=Role.WORK_COACH, office=OfficeFactory(), first_name="Olwen", last_name="Elsewhere"
    )
    enrol(other, disclosure, Step.COMPLETED, passed=True)
    return other


def test_office_progress_gives_each_coachs_status(office, team):
    [progress] = office_progress(office)
    assert progress.module == team
    rows = {row.name: row for row in progress.rows}
    assert list(rows) == [
        "Coach Anders",
        "Coach Brown",
        "Coach Clarke",
        "Coach Davies",
        "Coach Evans",
    ]
    assert rows["Coach Anders"].status == "Not started"
    assert rows["Coach Anders"].started_on is None
    assert rows["Coach Brown"].status == "In progress: Lessons"
    assert rows["Coach Brown"].started_on == timezone.localdate() - timedelta(days=3)
    assert rows["Coach Clarke"].status == "Completed"
    assert rows["Coach Clarke"].status_date == timezone.localdate()
    assert rows["Coach Clarke"].quiz_not_passed
    assert rows["Coach Davies"].status == "Follow-up due"
    assert rows["Coach Davies"].status_date == date(2025, 3, 4)
    assert not rows["Coach Davies"].quiz_not_passed
    assert rows["Coach Evans"].status == "Followed up"
    assert rows["Coach Evans"].status_date == date(2025, 3, 10)
    assert (progress.completed, progress.coaches) == (3, 5)


def test_a_completed_enrolment_whose_follow_up_day_has_come_shows_as_due(office, disclosure):
    coach = UserFactory(role=Role.WORK_COACH, office=office)
    enrol(coach, disclosure, Step.COMPLETED, follow_up_due_on=date(2025, 3, 4))
    [progress] = office_progress(office, today=date(2025, 3, 4))
    assert progress.rows[0].status == "Follow-up due"
    # Reading the page moves nothing on.
    assert Enrolment.objects.get(user=coach).step == Step.COMPLETED


def test_only_active_work_coaches_are_listed(office, leader, disclosure):
    UserFactory(role=Role.WORK_COACH, office=office, last_name="Gone", is_active=False)
    UserFactory(role=Role.TRAINER, office=office, last_name="Trainer")
    UserFactory(role=Role.WORK_COACH, office=office, last_name="Here")
    [progress] = office_progress(office)
    assert [row.name for row in progress.rows] == ["Sam Here"]


def test_team_leader_sees_their_office(client, leader, team, other_office_coach):
    client.force_login(leader)
    response = client.get(reverse("learning:team"))
    assert response.status_code == 200
    html = text(response)
    assert "Leeds Eastgate" in html
    assert team.title in html
    assert "3 of 5 coaches completed" in html
    for name in ["Anders", "Brown", "Clarke", "Davies", "Evans"]:
        assert f"Coach {name}" in html
    assert "Not started" in html
    assert "In progress: Lessons" in html
    assert "(quiz not passed)" in html
    assert "Follow-up due</strong> 4 March 2025" in html
    assert "Followed up</strong> 10 March 2025" in html
    assert 'class="govuk-table"' in html
    # Never another office's coaches.
    assert "Olwen" not in html
    assert "Elsewhere" not in html
    # The header links to the page and marks it as current.
    assert f'href="{URL}" aria-current="page">Team progress</a>' in html


def test_team_leader_without_an_office_sees_a_message_only(client, team):
    leader = UserFactory(role=Role.TEAM_LEADER, office=None)
    client.force_login(leader)
    response = client.get(URL)
    assert response.status_code == 200
    html = text(response)
    assert "not linked to an office" in html
    assert "govuk-table" not in html
    assert "Anders" not in html
    assert "coaches completed" not in html


def test_work_coach_is_refused(client, office, team):
    coach = UserFactory(role=Role.WORK_COACH, office=office)
    client.force_login(coach)
    response = client.get(URL)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()
    assert "Team progress" not in client.get(reverse("learning:dashboard")).content.decode()


def test_administrator_sees_their_own_office(client, office, team, other_office_coach):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, office=office))
    response = client.get(URL)
    assert response.status_code == 200
    html = text(response)
    assert "Coach Anders" in html
    assert "Olwen" not in html


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_queries_do_not_grow_with_the_number_of_coaches(client, office, leader, disclosure):
    client.force_login(leader)

    def add_coaches(count):
        for _ in range(count):
            coach = UserFactory(role=Role.WORK_COACH, office=office)
            enrol(coach, disclosure, Step.COMPLETED, passed=False)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context.captured_queries)

    add_coaches(2)
    client.get(URL)  # warm any caches shared by every page
    with_two = queries()
    add_coaches(6)
    with_eight = queries()
    assert "8 of 8 coaches completed" in text(client.get(URL))
    assert with_eight == with_two
