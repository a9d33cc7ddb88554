from celery import shared_task

from . import services


@shared_task(name="learning.send_follow_up_reminders")
def send_follow_up_reminders() -> int:
    """Daily: mark follow-ups that have fallen due and email their reminders."""
    return services.send_follow_up_reminders()
