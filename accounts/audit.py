"""The audit log: every row is written by ``record``.

What a row holds, and what it never holds:

- ``actor`` and ``subject`` are foreign keys (set to null if a user row were ever
  deleted) with the email address at the time beside each; erasing a person blanks
  those labels (``AuditQuerySet.forget_person``) and keeps the row.
- ``ip_address`` is the network, not the machine: the last 8 bits of an IPv4 address
  and the last 80 bits of an IPv6 address are set to zero. Only ``REMOTE_ADDR`` is
  used, since a forwarded-for header can be written by anyone.
- ``detail`` is a small JSON object of facts (role names, office slugs, an instrument
  and version, export filters, counts). Never a password, a code or an email address
  that was typed: a failed sign-in stores a keyed hash of what was typed
  (``email_hash``), so repeated attempts on one address can be seen without keeping
  addresses, or passwords typed into the wrong box.

The request being served is remembered by ``AuditRequestMiddleware`` so that changes
made deep inside a form save (a group added in the user admin) know who made them
and from where.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Mapping
from typing import Any

from django.utils.crypto import salted_hmac

from .models import AuditEvent, AuditKind, User

_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)
EMAIL_HASH_SALT = "accounts.audit.email"
EMAIL_HASH_LENGTH = 16
LABEL_LENGTH = 254


class AuditRequestMiddleware:
    """Remembers the current request for ``record`` while the view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def current_request():
    return _current_request.get()


def network_of(address: str | None) -> str | None:
    """The address with its host part removed (IPv4 /24, IPv6 /48), or None."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def email_hash(typed: str) -> str:
    """A keyed hash (HMAC-SHA256 under SECRET_KEY) of a typed email address, in lower
    case: the same address always gives the same value, and the value cannot be
    turned back into the address without the secret."""
    normalised = (typed or "").strip().lower()
    return salted_hmac(EMAIL_HASH_SALT, normalised, algorithm="sha256").hexdigest()[
        :EMAIL_HASH_LENGTH
    ]


def _label(user) -> str:
    if user is None or not getattr(user, "pk", None):
        return ""
    return (user.email or "")[:LABEL_LENGTH]


def _real_user(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user if isinstance(user, User) else None


def record(
    kind: AuditKind | str,
    *,
    actor=None,
    subject=None,
    request=None,
    detail: Mapping[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Write one audit row.

    ``actor`` defaults to the signed-in user of ``request`` (or of the request being
    served); ``actor_label`` names a non-person actor such as ``command line``.
    """
    kind = AuditKind(kind)
    request = request if request is not None else current_request()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    actor = _real_user(actor)
    subject = _real_user(subject) if subject is not None else None
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_label=(actor_label if actor_label is not None else _label(actor))[:LABEL_LENGTH],
        subject=subject,
        subject_label=_label(subject),
        ip_address=network_of(address),
        detail=dict(detail or {}),
    )
