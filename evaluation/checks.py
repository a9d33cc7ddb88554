"""Start-up checks: export files must not be reachable by any URL but the download view."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.files.storage import FileSystemStorage

from .exports.storage import ALIAS, export_storage


def _inside(path: Path, root) -> bool:
    if not root:
        return False
    root = Path(str(root)).resolve()
    return path == root or root in path.parents


@register(Tags.security)
def check_export_storage(app_configs=None, **kwargs):
    if ALIAS not in settings.STORAGES:
        return [
            Error(
                'STORAGES has no "exports" storage.',
                hint="Export files need a private storage of their own (docs/exports.md).",
                id="evaluation.E001",
            )
        ]
    storage = export_storage()
    errors = []
    if isinstance(storage, FileSystemStorage):
        location = Path(storage.location).resolve()
        for name in ("MEDIA_ROOT", "STATIC_ROOT"):
            if _inside(location, getattr(settings, name, None)):
                errors.append(
                    Error(
                        f"Export files are stored inside {name} ({location}).",
                        hint="Keep them under PRIVATE_ROOT, outside every served folder.",
                        id="evaluation.E002",
                    )
                )
        try:
            storage.url("check")
        except ValueError:
            pass
        else:
            errors.append(
                Error(
                    "The exports storage gives its files a URL.",
                    hint="Use evaluation.exports.storage.PrivateFileSystemStorage.",
                    id="evaluation.E003",
                )
            )
    elif getattr(storage, "default_acl", None) not in (None, "private") or (
        hasattr(storage, "querystring_auth") and not storage.querystring_auth
    ):
        errors.append(
            Error(
                "The exports bucket storage would make files public.",
                hint='Use default_acl "private" and querystring_auth True.',
                id="evaluation.E004",
            )
        )
    return errors
