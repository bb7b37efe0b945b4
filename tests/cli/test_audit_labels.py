"""The audit trail names what changed: a payment is a payment, not a change of the invoice."""

from __future__ import annotations


def test_a_payment_in_the_audit_trail_is_labelled_payment(cli):
    cli("client", "add", "ООО «Юпитер»", "--phone", "+7 499 980-82-59")
    cli("campaign", "create", "W48", "--week", "2026-W48")
    cli("campaign", "add", "W48")
    [deal] = cli.json("deal", "list", "--campaign", "W48")
    cli("deal", "invoice", deal["id"], "15000")
    cli("deal", "pay", deal["id"], "5000")
    changes = {r["action"]: r["changes"] for r in cli.json("audit", "--deal", str(deal["id"]))}
    assert changes["deal.invoice"] == {"invoice": {"before": None, "after": "15000.00"}}
    assert changes["deal.pay"] == {"payment": {"before": None, "after": "5000.00"}}
