from celery import shared_task
from django.core.management import call_command


@shared_task(name="content.publish_scheduled")
def publish_scheduled():
    """Publish and unpublish pages, quizzes and surveys whose scheduled time has come.

    Run every few minutes by Celery beat (see ``CELERY_BEAT_SCHEDULE``).
    """
    call_command("publish_scheduled")
