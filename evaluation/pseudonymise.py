"""Pseudonyms for exported data.

A person's ``pid`` is the HMAC-SHA256 of their user id (as decimal text), keyed with
one of the secrets in ``settings.EVALUATION_PSEUDONYM_KEYS``, written as the first
16 hexadecimal characters (64 bits). The same key always gives the same pid for the
same person, across timepoints, modules and exports; another key gives an unrelated
pid, so two recipients' files cannot be joined. Exports name the key by its id and
never contain the secret.

With 64 bits the chance that any two of n people share a pid is about
n² / 2⁶⁵: for 100,000 people, about 3 in 10 billion. An export checks its pids are
distinct anyway and stops if they are not.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

PID_LENGTH = 16


class UnknownKey(Exception):
    """The key id names no configured pseudonymisation key."""


def key_ids() -> list[str]:
    return sorted(getattr(settings, "EVALUATION_PSEUDONYM_KEYS", {}) or {})


def default_key_id() -> str | None:
    ids = key_ids()
    return ids[0] if len(ids) == 1 else None


def secret_for(key_id: str) -> bytes:
    keys = getattr(settings, "EVALUATION_PSEUDONYM_KEYS", {}) or {}
    if key_id not in keys:
        raise UnknownKey(key_id)
    return keys[key_id].encode("utf-8")


def pid_function(key_id: str):
    """A function ``user_id -> pid`` for one key (the secret is looked up once)."""
    secret = secret_for(key_id)

    def pid(user_id: int) -> str:
        digest = hmac.new(secret, str(user_id).encode("ascii"), hashlib.sha256)
        return digest.hexdigest()[:PID_LENGTH]

    return pid


def pid(user_id: int, key_id: str) -> str:
    return pid_function(key_id)(user_id)
