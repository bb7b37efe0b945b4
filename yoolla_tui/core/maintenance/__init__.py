"""Maintenance: backup, restore and check of a database (backup), and the demo
database (demo).

May import: any core package. The top of core: only the faces import it.
"""
