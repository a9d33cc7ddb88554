from django.dispatch import receiver
from wagtail.signals import published

from .models import ConfidenceSurvey, Quiz
from .services import publish_version


@receiver(published, sender=Quiz)
@receiver(published, sender=ConfidenceSurvey)
def freeze_published_instrument(sender, instance, revision=None, **kwargs):
    """Publishing (now, on schedule, or at the end of a workflow) freezes a version."""
    publish_version(instance, revision=revision)
