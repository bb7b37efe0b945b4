"""Ctrl-C while the CLI is still loading (a second or more on a busy server) exits quietly.

Imported first by `yoolla_tui.cli`; `done()` hands SIGINT back as the command starts, where
Click turns Ctrl-C into "Aborted!" and the command's transaction rolls back.
"""

from __future__ import annotations

import signal
import sys


def _interrupted_while_starting(_signum, _frame):
    sys.stderr.write("Aborted!\n")  # Click's word for Ctrl-C once the command runs
    sys.exit(130)


try:
    _previous = signal.signal(signal.SIGINT, _interrupted_while_starting)
except ValueError:  # imported outside the main thread: leave signals alone
    _previous = None


def done() -> None:
    """Give SIGINT back to whoever had it (Python's KeyboardInterrupt, or ignored in a background job)."""
    global _previous
    if _previous is not None:
        signal.signal(signal.SIGINT, _previous)
        _previous = None
