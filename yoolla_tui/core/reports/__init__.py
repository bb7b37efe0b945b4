"""Reports: the daily and weekly summaries, manager comparison and the funnel
(summary), lost deals and checkpoint slips (execution), the campaign workbook export, the
supervisor's board and reading the audit trail.

May import: kernel, people, funnel, work, calls. Nothing imports reports but the faces and
maintenance.
"""
