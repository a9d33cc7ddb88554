"""A small OpenID Connect provider (django-oauth-toolkit) that the single sign-on
tests start as a separate process on loopback: its own settings, its own SQLite
file, an RSA key made at start. ``serve.py`` starts it; ``people.json`` (written by
the test fixture) names its people, their passwords and the claims it sends."""
