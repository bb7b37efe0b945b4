"""The kernel: what every domain stands on.

Storage (db, models, types, migrations' engine), the one clock, errors, translations (i18n),
paths and settings, money and phone parsing, id parsing (refs), record lookups, listings that
stream, the permission checks, the reference data (stages, lost reasons as shipped), the domain
event bus (events), the audit recorder (audit: takes ids and values, imports no service) and
files (every file written for a user: whole or not at all, with the user's umask).

May import: nothing else of yoolla_tui. Every other package imports from here.
"""
