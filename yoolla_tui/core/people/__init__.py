"""People: users and their roles, each person's work schedule, and the business calendar
(working days, public holidays) that follow-ups and forecasts count in.

May import: kernel.
"""
