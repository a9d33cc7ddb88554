"""Pseudonymised row-level exports for evaluators.

``request`` checks what was asked for; ``catalogue`` names every instrument, item and
column; ``extract`` stages the people and items in temporary tables and streams the
answers out of the database (``COPY … TO STDOUT`` on PostgreSQL, a cursor elsewhere);
``writers`` turn that into each file; ``build`` puts a file (or the zip bundle)
together with its manifest; ``services`` runs exports for the command line and the
evaluator area and writes the audit log. See ``docs/exports.md``.
"""
