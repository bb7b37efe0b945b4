"""One family of domain errors. Each carries a message a user can act on."""

from __future__ import annotations


class YoollaError(Exception):
    """Base of every error a user can cause; the message is shown as is."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadInput(YoollaError):
    """A value given by the user is malformed or out of range."""

    exit_code = 2


class NotFound(YoollaError):
    """A named user, client, campaign, deal, stage or reason does not exist."""

    exit_code = 4


class PermissionDenied(YoollaError):
    """The acting user's role does not allow the action; the message names the rule."""

    exit_code = 3


class GateNotMet(YoollaError):
    """A stage cannot be entered until its required fields or checkpoints are done."""

    exit_code = 5


class Conflict(YoollaError):
    """The action clashes with the current state (closed deal, do-not-call client, duplicate)."""

    exit_code = 5


class StaleEdit(Conflict):
    """Someone else changed the record since it was read; reload and try again."""


class NotInitialised(YoollaError):
    """The database has no schema yet, or an older one."""

    exit_code = 6


class Busy(YoollaError):
    """Another operator held the database longer than the wait allows; nothing was written."""

    exit_code = 7


class NotDelivered(YoollaError):
    """A mail server refused or could not be reached; nothing was recorded as sent."""

    exit_code = 8
