"""Automation: what entering a stage does to a deal (stage triggers an admin switches on and
off: start a process, plan a checkpoint, create a task, make a document, notify people), and
the processes' outcomes that move a deal (a rejected approval sends it back or to lost).

May import: kernel, people, funnel, work. It joins funnel and work, so it sits above both and
below calls (the deal card lists trigger runs and the stage picker previews them). It runs as
the StageEntered handler wired in core/reactions.py; documents, a layer up, it reaches through
kernel.events.DocumentRequested.
"""
