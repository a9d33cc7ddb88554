"""When an account's identity is erased, the export audit keeps the export but not the
person's email address (the rows keep the user id, which is all evaluation needs)."""

from django.dispatch import receiver

from accounts.signals import identity_erased

from .models import ExportAudit


@receiver(identity_erased, dispatch_uid="evaluation_forget_export_actor")
def forget_export_actor(sender, user_id, **kwargs):
    ExportAudit.objects.forget_person(user_id)
