"""People: users and their roles, who is acting (identity: the OS login or database role behind
a command, an admin's act-as), each person's work schedule, and the business calendar
(working days, public holidays) that follow-ups and forecasts count in.

May import: kernel.
"""
