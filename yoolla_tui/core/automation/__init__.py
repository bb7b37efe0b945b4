"""Automation: what entering a stage does to a deal (stage triggers an admin switches on and
off: start a process, plan a checkpoint, create a task, make a document, notify people), and
the processes' outcomes that move a deal (a rejected approval sends it back or to lost).

May import: kernel, people, funnel, work. Sits above funnel and work (it joins them) and below
calls; the run is hooked in one place (`moves`), to become a StageEntered handler in
core/reactions.py once kernel/events.py exists.
"""
