from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower

from .roles import Role


class Region(models.Model):
    """A Jobcentre Plus region (reference data)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Office(models.Model):
    """A Jobcentre Plus office. Every user belongs to one."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="offices")

    class Meta:
        ordering = ["region__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_office_name_in_region"),
        ]

    def __str__(self):
        return f"{self.name} ({self.region.name})"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person who signs in. The email address is the login; there is no username."""

    username = None
    email = models.EmailField("email address", unique=True)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        help_text="The Jobcentre office this person works in.",
    )
    staff_number = models.CharField(max_length=20, blank=True)
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When this person's identity was removed (accounts.retention).",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="unique_user_email_ci"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def has_role(self, role: Role) -> bool:
        return self.groups.filter(name=role.value).exists()

    @property
    def role_names(self) -> list[str]:
        return [group.name for group in self.groups.all()]

    @property
    def region(self):
        return self.office.region if self.office_id else None


class AuditChangeError(Exception):
    """Raised on any attempt to change or delete an audit row."""


class AuditKind(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    MFA_ADDED = "mfa_added", "Two-factor method added"
    MFA_REMOVED = "mfa_removed", "Two-factor method removed"
    MFA_RESET = "mfa_reset", "Recovery codes replaced"
    ROLE_CHANGED = "role_changed", "Role changed"
    OFFICE_CHANGED = "office_changed", "Office changed"
    INSTRUMENT_PUBLISHED = "instrument_published", "Quiz or survey published"
    EXPORT = "export", "Evaluation data exported"
    RETENTION_RUN = "retention_run", "Retention run"
    ACCOUNT_ERASED = "account_erased", "Account identity erased"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditChangeError("Audit log rows cannot be changed.")

    def delete(self):
        raise AuditChangeError("Audit log rows cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditChangeError("Audit log rows cannot be changed.")

    def forget_person(self, user_id: int) -> int:
        """Blank the labels and IP addresses of rows about one person whose identity
        is being erased (``accounts.retention``): the only change rows ever allow.
        What happened, and when, stays."""
        about_them = models.Q(actor_id=user_id) | models.Q(subject_id=user_id)
        changed = models.QuerySet.update(
            self.filter(about_them & ~models.Q(ip_address=None)), ip_address=None
        )
        changed += models.QuerySet.update(
            self.filter(actor_id=user_id).exclude(actor_label=""), actor_label=""
        )
        changed += models.QuerySet.update(
            self.filter(subject_id=user_id).exclude(subject_label=""), subject_label=""
        )
        return changed


class AuditEvent(models.Model):
    """One thing that happened that an administrator may need to account for later:
    a sign-in, a changed role, a publication, an export, a retention run.

    Append-only: a row refuses ``save`` once created and ``delete``, one by one and
    through querysets. Write rows with ``accounts.audit.record``.
    """

    objects = AuditQuerySet.as_manager()

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=30, choices=AuditKind.choices, db_index=True)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who did it; empty for the system or someone not signed in.",
    )
    actor_label = models.CharField(
        max_length=254, blank=True, help_text="The actor's email address at the time."
    )
    subject = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The account it was done to, if any.",
    )
    subject_label = models.CharField(
        max_length=254, blank=True, help_text="The subject's email address at the time."
    )
    ip_address = models.GenericIPAddressField(
        null=True, blank=True, help_text="The network it came from (last part removed)."
    )
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log entries"

    def __str__(self):
        return f"{self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditChangeError("Audit log rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditChangeError("Audit log rows cannot be deleted.")
