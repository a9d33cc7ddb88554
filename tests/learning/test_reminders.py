"""Follow-up reminders: due dates, limits, opt-outs and idempotency, with the
clock moved forward."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from learning import services
from learning.models import Enrolment, Step

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(walker):
    enrolment = walker.to(Step.COMPLETED)
    mail.outbox.clear()
    return enrolment


def at(enrolment, days):
    """A moment ``days`` after the follow-up falls due."""
    due = timezone.make_aware(
        timezone.datetime.combine(enrolment.follow_up_due_on, timezone.datetime.min.time())
    )
    return due + timedelta(days=days, hours=9)


def test_nothing_is_sent_before_the_due_date(completed):
    assert services.send_follow_up_reminders(at(completed, -1)) == 0
    assert mail.outbox == []
    completed.refresh_from_db()
    assert completed.step == Step.COMPLETED


def test_a_reminder_on_the_due_date_with_a_link(completed):
    assert services.send_follow_up_reminders(at(completed, 0)) == 1
    completed.refresh_from_db()
    assert completed.step == Step.FOLLOW_UP_DUE
    assert completed.reminders_sent == 1
    message = mail.outbox[0]
    assert message.to == [completed.user.email]
    assert "/learn/disclosure-conversations/survey/follow_up/" in message.body


def test_running_twice_sends_nothing_twice(completed):
    now = at(completed, 0)
    services.send_follow_up_reminders(now)
    services.send_follow_up_reminders(now)
    services.send_follow_up_reminders(now + timedelta(days=6))
    assert len(mail.outbox) == 1


def test_one_every_seven_days_and_three_in_all(completed):
    sent_on = []
    for day in range(0, 60):
        if services.send_follow_up_reminders(at(completed, day)):
            sent_on.append(day)
    assert sent_on == [0, 7, 14]
    completed.refresh_from_db()
    assert completed.reminders_sent == 3


def test_none_once_the_follow_up_is_done(walker, completed):
    services.send_follow_up_reminders(at(completed, 0))
    walker.survey("follow_up", value="4")
    completed.refresh_from_db()
    assert completed.step == Step.FOLLOWED_UP
    assert services.send_follow_up_reminders(at(completed, 8)) == 0
    assert len(mail.outbox) == 1


def test_none_for_a_coach_who_opted_out(walker, completed):
    services.record_evaluation_choice(completed.user, opted_out=True)
    assert services.send_follow_up_reminders(at(completed, 0)) == 0
    assert mail.outbox == []


def test_the_follow_up_survey_is_reachable_once_due(walker, completed):
    assert walker.client.get(walker.url("survey", "follow_up")).status_code == 302
    Enrolment.objects.filter(pk=completed.pk).update(
        follow_up_due_on=timezone.localdate() - timedelta(days=1)
    )
    assert walker.client.get(walker.url("survey", "follow_up")).status_code == 200


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reminder_goes_through_a_real_worker_on_redis(walker, celery_on_redis):
    from learning.tasks import send_follow_up_reminders

    enrolment = walker.to(Step.COMPLETED)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        follow_up_due_on=timezone.localdate() - timedelta(days=1)
    )
    mail.outbox.clear()
    with celery_on_redis.worker():
        celery_on_redis.send(send_follow_up_reminders)
        deadline = time.monotonic() + 20
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.1)
    assert len(mail.outbox) == 1
    enrolment.refresh_from_db()
    assert enrolment.reminders_sent == 1
