"""Where export files are kept: the ``exports`` storage, never the media storage.

Export files hold pseudonymised answers, so they are served only by the download view
(``export_views.export_download``), which checks who is asking. They live in their own
Django storage (``STORAGES["exports"]``): on local disk a folder outside ``MEDIA_ROOT``
(``PRIVATE_ROOT/exports``, default ``var/private/exports``) whose storage has no URL at
all; in production with a bucket, a private prefix of it (see
``config/settings/production.py``). ``checks.py`` stops start-up if the folder is
inside ``MEDIA_ROOT`` or ``STATIC_ROOT``, where a media or static URL could reach it.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, InMemoryStorage, storages

ALIAS = "exports"
NO_URL = "Export files have no URL: they are served by the download view only."


def export_storage():
    """The storage export files are saved in, read from and deleted from."""
    return storages[ALIAS]


class NoURLMixin:
    """A storage whose files cannot be linked to: asking for a URL is an error rather
    than falling back to ``MEDIA_URL`` as Django's local storages do."""

    def url(self, name):
        raise ValueError(NO_URL)


class PrivateFileSystemStorage(NoURLMixin, FileSystemStorage):
    """Files on local disk with no URL."""


class PrivateInMemoryStorage(NoURLMixin, InMemoryStorage):
    """Files in memory with no URL (the test settings)."""
