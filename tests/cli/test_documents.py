"""`yoolla deal document`, `document list|send`, `company`, `mail` (issue 27), through the CLI:
the README's Documents section run as written against a local SMTP server, the password never
shown, and bad input refused on one line with nothing changed."""

from __future__ import annotations

import shlex
from pathlib import Path

from docx import Document as Docx

from tests.conftest import Cli, dump
from tests.meta.test_docs import _walkthrough
from tests.smtp_server import smtp_server

SECTION = "## Documents"


def _text(path) -> str:
    doc = Docx(str(path))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_readme_documents_section_mails_the_proposal_and_a_numbered_invoice(tmp_path, repo_root, monkeypatch):
    """The Documents walk-through, line by line (a free port in place of 8025): the client gets the
    proposal, then invoice № 1 with the amount in words; the deal moved through the funnel."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("YOOLLA_DOCUMENTS_DIR", raising=False)
    cli, env = Cli("unused"), {}
    with smtp_server() as (port, inbox):
        lines = _walkthrough(repo_root, SECTION)
        joined = []
        for line in lines:  # a trailing backslash continues the command
            if joined and joined[-1].endswith("\\"):
                joined[-1] = joined[-1][:-1] + " " + line.strip()
            else:
                joined.append(line)
        for line in joined:
            words = shlex.split(line.replace("--port 8025", f"--port {port}"), comments=True)
            if words[0] == "export":
                env.update(word.split("=", 1) for word in words[1:])
                continue
            assert words[0] == "yoolla", line
            cli.url = env["YOOLLA_DB"]
            result = cli(*words[1:], user=None, env=env, code=None)
            assert result.exit_code == 0, f"{line}\n{result.stdout}\n{result.stderr}"
    assert [(m[1], m[2]["Subject"]) for m in inbox.received] == [
        (["petr@vector.example"], "Коммерческое предложение № 1 от 23.11.2026 — ООО «Юлла Семинары»"),
        (["petr@vector.example"], "Счёт на оплату № 1 от 23.11.2026 — ООО «Юлла Семинары»"),
        (["buh@vector.example"], "Счёт на оплату № 1 от 23.11.2026 — ООО «Юлла Семинары»"),
    ]
    card = cli.json("deal", "show", "1", user="irina", env=env)
    assert (card["stage"], card["invoice"]) == ("invoice_issued", "15000.00")
    assert [(d["kind"], d["number"], d["sent_to"]) for d in card["documents"]] == [
        ("proposal", 1, "petr@vector.example"), ("invoice", 1, "buh@vector.example")]
    kept = Path(card["documents"][1]["path"])
    assert kept == tmp_path / "docs-documents" / "2026" / "invoice-2026-0001-deal1.docx"
    invoice = _text(tmp_path / "invoice.docx")
    assert "Счёт на оплату № 1 от 23 ноября 2026 г." in invoice and "Пятнадцать тысяч рублей 00 копеек" in invoice
    assert "ООО Вектор" in invoice and "В том числе НДС (20%): 2\u00a0500,00 руб." in invoice
    audit = cli.json("audit", "--deal", "1", "--action", "document.send", user="irina", env=env)
    # The walk-through runs as the OS login that ran `init` (irina); `--user anna` is her recorded act-as.
    assert [(a["user"], a["data"]["to"]) for a in audit] == [
        ("irina as anna", "petr@vector.example"), ("irina as anna", "petr@vector.example"),
        ("irina as anna", "buh@vector.example")]


def test_the_smtp_password_is_never_shown_nor_stored(cli, db_url, engine, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("Tr0ub4dor&3\n")
    out = cli("mail", "set", "--host", "smtp.example", "--port", "465", "--tls", "--login", "sales",
              "--from", "sales@yoolla.example", "--password-file", str(secret))
    shown = cli("mail", "show", "--format", "json", env={"YOOLLA_SMTP_PASSWORD": "env-secret"})
    assert '"password": "environment variable YOOLLA_SMTP_PASSWORD"' in shown.stdout
    assert cli.json("mail", "show")["password"] == f"file {secret}"
    everything = repr(dump(engine))
    for text in (out.stdout, out.stderr, shown.stdout, everything):
        assert "Tr0ub4dor" not in text and "env-secret" not in text


def test_bad_input_is_one_line_and_changes_nothing(cli, engine):
    cli("user", "add", "anna")
    cli("client", "add", "ООО Вектор", "--phone", "+74951234567")
    cli("campaign", "create", "W48", "--week", "2026-W48")
    cli("campaign", "add", "W48", "--manager", "anna")
    before = dump(engine)
    cases = [
        (("deal", "document", "1", "offer"), 2, "Error: unknown document kind 'offer': expected proposal, invoice, contract, spec"),
        (("deal", "document", "1", "proposal"), 2,
         "Error: the seller's requisites lack name, needed on the commercial proposal: yoolla company set --name … (an admin)"),
        (("company", "set", "--bik", "12345"), 2, "Error: --bik takes 9 digits, not '12345'"),
        (("company", "set", "--vat", "twenty"), 2, "Error: --vat takes a percentage (20, 10, 0) or none, not 'twenty'"),
        (("mail", "set", "--from", "nobody"), 2, "Error: --from takes an email address, not 'nobody'"),
        (("mail", "set", "--tls", "--starttls"), 2, "Error: give one of --tls, --starttls, --plain"),
        (("stage", "set", "proposal_sent", "--requires-document", "letter"), 2,
         "Error: unknown document kind 'letter': expected proposal, invoice, contract, spec or none"),
        (("deal", "advance", "1", "--to", "proposal_sent"), 5,
         "Error: deal 1 cannot enter 'proposal_sent': it needs a document: commercial proposal (yoolla deal document 1 proposal)"),
        (("document", "send", "7"), 4, "Error: no document 7"),
    ]
    for args, code, message in cases:
        result = cli(*args, code=code)
        assert result.stderr == message + "\n", args
    refused = cli("company", "set", "--name", "X", user="anna", code=3)
    assert refused.stderr.startswith("Error: anna (manager) may not set the company's requisites")
    assert dump(engine) == before
    cli("company", "set", "--name", "ООО Юлла")
    no_email = cli("deal", "document", "1", "proposal", "--send", code=5)
    assert no_email.stderr == ("Error: client 1 (ООО Вектор) has no email; add one (yoolla client edit 1 --email ADDRESS) "
                               "or give --to ADDRESS; nothing was made or sent\n")
    assert cli.json("document", "list") == []


def test_stage_requires_document_sent(cli):
    cli("stage", "set", "proposal_sent", "--requires-document", "proposal", "--sent")
    row = next(s for s in cli.json("stage", "list") if s["code"] == "proposal_sent")
    assert (row["requires_document"], row["requires_sent"]) == ("proposal", True)
    cli("stage", "set", "proposal_sent", "--requires-document", "none")
    row = next(s for s in cli.json("stage", "list") if s["code"] == "proposal_sent")
    assert (row["requires_document"], row["requires_sent"]) == (None, False)
