from celery import shared_task

from . import retention


@shared_task(name="accounts.apply_retention")
def apply_retention() -> int:
    """Daily: erase the identity of accounts unused for RETENTION_INACTIVE_DAYS."""
    return retention.apply_retention(actor_label="scheduled task").count
