"""Audit rows for sign-ins, two-factor changes, roles and offices, written from the
signals Django and allauth send (connected in ``AccountsConfig.ready``).

Also ``identity_erased``, sent by ``accounts.retention`` inside the erasing
transaction so that other apps can forget what they hold about the person
(``sender`` is the User model, ``user_id`` the erased account's id).
"""

from __future__ import annotations

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import Signal, receiver

from .audit import email_hash, record
from .models import AuditEvent, AuditKind, Office, User

identity_erased = Signal()


@receiver(auth_signals.user_logged_in, dispatch_uid="audit_sign_in")
def audit_sign_in(sender, request, user, **kwargs):
    record(AuditKind.SIGN_IN, actor=user, subject=user, request=request)


@receiver(auth_signals.user_login_failed, dispatch_uid="audit_sign_in_failed")
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    typed = ""
    for key in ("email", "login", "username"):
        if credentials.get(key):
            typed = str(credentials[key])
            break
    subject = User.objects.filter(email__iexact=typed.strip()).first() if typed else None
    record(
        AuditKind.SIGN_IN_FAILED,
        actor=None,
        subject=subject,
        request=request,
        detail={"stage": "password", "email_hash": email_hash(typed)},
        actor_label="",
    )


def _mfa_receiver(kind):
    def audit(sender, request=None, user=None, authenticator=None, **kwargs):
        record(
            kind,
            actor=getattr(request, "user", None) or user,
            subject=user,
            request=request,
            detail={"type": getattr(authenticator, "type", "")},
        )

    return audit


audit_mfa_added = _mfa_receiver(AuditKind.MFA_ADDED)
audit_mfa_removed = _mfa_receiver(AuditKind.MFA_REMOVED)
audit_mfa_reset = _mfa_receiver(AuditKind.MFA_RESET)
mfa_signals.authenticator_added.connect(audit_mfa_added, dispatch_uid="audit_mfa_added")
mfa_signals.authenticator_removed.connect(audit_mfa_removed, dispatch_uid="audit_mfa_removed")
mfa_signals.authenticator_reset.connect(audit_mfa_reset, dispatch_uid="audit_mfa_reset")


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_mfa_code_failed")
def audit_mfa_code_failed(sender, request=None, user=None, authenticator=None, **kwargs):
    # The code typed is never recorded, only that one was wrong.
    record(
        AuditKind.SIGN_IN_FAILED,
        actor=None,
        subject=user,
        request=request,
        detail={
            "stage": "reauthentication" if kwargs.get("reauthentication") else "two-factor",
            "type": getattr(authenticator, "type", ""),
        },
        actor_label="",
    )


# Roles -------------------------------------------------------------------------------


def _group_names(pks) -> list[str]:
    return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit_role_changed")
def audit_role_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action == "pre_clear":
        # Remember what ``clear()`` is about to remove, for post_clear.
        if reverse:
            instance._audit_cleared = list(instance.user_set.values_list("pk", flat=True))
        else:
            instance._audit_cleared = list(instance.groups.values_list("pk", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    change = "added" if action == "post_add" else "removed"
    pks = pk_set if action != "post_clear" else getattr(instance, "_audit_cleared", [])
    if not pks:
        return
    if reverse:
        # ``group.user_set.add(...)``: one row per person.
        for user in User.objects.filter(pk__in=pks):
            record(AuditKind.ROLE_CHANGED, subject=user, detail={change: [instance.name]})
    else:
        record(AuditKind.ROLE_CHANGED, subject=instance, detail={change: _group_names(pks)})


# Offices -----------------------------------------------------------------------------


@receiver(pre_save, sender=User, dispatch_uid="audit_office_before")
def remember_office(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._audit_office_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "office" not in update_fields:
        return
    before = User.objects.filter(pk=instance.pk).values_list("office_id", flat=True).first()
    if before != instance.office_id:
        instance._audit_office_before = (before,)


@receiver(post_save, sender=User, dispatch_uid="audit_office_changed")
def audit_office_changed(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_audit_office_before", None)
    instance._audit_office_before = None
    if raw or created or before is None:
        return
    slugs = dict(
        Office.objects.filter(pk__in=[before[0], instance.office_id]).values_list("pk", "slug")
    )
    record(
        AuditKind.OFFICE_CHANGED,
        subject=instance,
        detail={"from": slugs.get(before[0]), "to": slugs.get(instance.office_id)},
    )


# Deleting ----------------------------------------------------------------------------


@receiver(pre_delete, sender=User, dispatch_uid="audit_forget_deleted_user")
def forget_deleted_user(sender, instance, **kwargs):
    """An account deleted outright (possible only while nothing protects it) loses its
    email address from the audit log as an erased one does; its rows stay, with the
    links set to null."""
    AuditEvent.objects.forget_person(instance.pk)
    identity_erased.send(sender=User, user_id=instance.pk)
