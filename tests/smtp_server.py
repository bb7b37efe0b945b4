"""A real SMTP server on 127.0.0.1 (aiosmtpd), for tests that mail documents."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Iterator


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the server received: (envelope sender, recipients, parsed message) per mail."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@contextmanager
def smtp_server(*, login: tuple[str, str] | None = None, port: int | None = None) -> Iterator[tuple[int, Inbox]]:
    """A server on a free port (or `port`); with `login`, it takes mail only after AUTH with that
    user and password (over plain SMTP: a test on 127.0.0.1)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    inbox = Inbox()
    port = port or free_port()
    extra = {}
    if login:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode(), auth_data.password.decode()) == login
            return AuthResult(success=ok, handled=False)

        extra = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **extra)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@contextmanager
def smtp_server_on(port: int) -> Iterator[Inbox]:
    """The server the README tells a reader to start (127.0.0.1:PORT), for the walk-through."""
    with smtp_server(port=port) as (_, inbox):
        yield inbox
