"""Sending documents by mail: the SMTP settings (`setting` row `mail`: host, port, user, from,
security, password_file) and one `send` through smtplib.

The password is never stored in the database nor printed: it is read when a message goes out,
from the environment variable YOOLLA_SMTP_PASSWORD, else from the file `mail set --password-file`
named (its first line).
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from sqlmodel import Session

from yoolla_tui.core.kernel import audit
from yoolla_tui.core.kernel.errors import BadInput, NotDelivered
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.kernel.models import Setting, User
from yoolla_tui.core.kernel.permissions import require_admin

KEY = "mail"
PASSWORD_ENV = "YOOLLA_SMTP_PASSWORD"
SECURITY = ("none", "starttls", "tls")
TIMEOUT_SECONDS = 30
_TYPES = {".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
          ".pdf": ("application", "pdf")}


def get(session: Session) -> dict:
    row = session.get(Setting, KEY)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def show(*, session: Session, actor: User) -> dict:
    """The SMTP settings as `mail show` prints them; the password only as where it comes from."""
    require_admin(actor, action=_("see the mail settings"))
    stored = get(session)
    source = (_("environment variable {name}").format(name=PASSWORD_ENV) if os.environ.get(PASSWORD_ENV)
              else _("file {path}").format(path=stored["password_file"]) if stored.get("password_file") else _("none"))
    return {"host": stored.get("host"), "port": stored.get("port"), "user": stored.get("user"),
            "from": stored.get("from"), "security": stored.get("security", "none"), "password": source}


def set_mail(*, session: Session, actor: User, host: str | None = None, port: int | None = None,
             user: str | None = None, sender: str | None = None, security: str | None = None,
             password_file: str | None = None) -> dict:
    """Change the given SMTP settings (admins). `password_file` is kept as a path, never its
    contents; '' clears it. BadInput for a port outside 1–65535, an unknown security, a sender
    without @, or a password file that cannot be read."""
    require_admin(actor, action=_("set the mail settings"))
    stored = get(session)
    before = dict(stored)
    if host is not None:
        stored["host"] = host.strip()
    if port is not None:
        if not 0 < port < 65536:
            raise BadInput(_("--port takes 1–65535, not {port}").format(port=port))
        stored["port"] = port
    if user is not None:
        stored["user"] = user.strip()
    if sender is not None:
        if "@" not in sender:
            raise BadInput(_("--from takes an email address, not {value!r}").format(value=sender))
        stored["from"] = sender.strip()
    if security is not None:
        if security not in SECURITY:
            raise BadInput(_("unknown security {value!r}: expected {known}").format(value=security, known=", ".join(SECURITY)))
        stored["security"] = security
    if password_file is not None:
        if password_file:
            path = Path(password_file).expanduser().resolve()
            _read_password_file(path)
            stored["password_file"] = str(path)
        else:
            stored.pop("password_file", None)
    row = session.get(Setting, KEY)
    if row is None:
        session.add(Setting(key=KEY, value=stored))
    else:
        row.value = stored
    audit.record(session, actor, "mail.set", "setting", None, before=before, after=stored)
    return show(session=session, actor=actor)


def _read_password_file(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(_("cannot read the password file {path}: {error}").format(path=path, error=exc.strerror if isinstance(exc, OSError) else exc))
    return lines[0] if lines else ""


def _password(settings: dict) -> str | None:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if settings.get("password_file"):
        return _read_password_file(Path(settings["password_file"]))
    return None


def build_message(*, sender: str, to: str, subject: str, body: str, attachments: list[Path]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(body)
    for path in attachments:
        maintype, subtype = _TYPES.get(path.suffix.lower(), ("application", "octet-stream"))
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return message


def send(session: Session, *, to: str, subject: str, body: str, attachments: list[Path]) -> str:
    """Mail `attachments` to `to`; returns the Message-ID. BadInput when the settings are
    incomplete; NotDelivered (one line naming the server) when the server cannot be reached or
    refuses the message."""
    settings = get(session)
    if not settings.get("host") or not settings.get("from"):
        raise BadInput(_("mail is not set up: yoolla mail set --host HOST --port PORT --from ADDRESS (an admin)"))
    message = build_message(sender=settings["from"], to=to, subject=subject, body=body, attachments=attachments)
    host, security = settings["host"], settings.get("security", "none")
    port = int(settings.get("port") or (465 if security == "tls" else 587 if security == "starttls" else 25))
    password = _password(settings)
    if settings.get("user") and password is None:
        raise BadInput(_("the SMTP user {user} needs a password: set {env} or yoolla mail set --password-file FILE").format(
            user=settings["user"], env=PASSWORD_ENV))
    try:
        if security == "tls":
            client = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.get("user"):
                client.login(settings["user"], password)
            client.send_message(message)
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        raise NotDelivered(_("mail to {to} not sent: SMTP server {host}:{port}: {error}").format(
            to=to, host=host, port=port, error=_smtp_error(exc)))
    return message["Message-ID"]


def _smtp_error(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {msg.decode(errors='replace')}" for code, msg in exc.recipients.values())
    return getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
