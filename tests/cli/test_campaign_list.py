"""`campaign list`: every campaign with its owner, pipeline, origin and deal counts."""


def test_campaign_list_after_a_rollover(cli):
    cli("user", "add", "anna")
    for i, phone in enumerate(["+74951110001", "+74951110002", "+74951110003"]):
        cli("client", "add", f"Client {i}", "--phone", phone)
    cli("campaign", "create", "Seminar 2026-W48", "--week", "2026-W48")
    cli("campaign", "add", "Seminar 2026-W48", "--clients", "all", "--manager", "anna")
    cli("call", "log", "1", "--outcome", "refused", "--reason", "closed_business", user="anna",
        now="2026-11-23T10:00:00+03:00")
    cli("campaign", "rollover", "Seminar 2026-W48", "--week", "2026-W49", now="2026-11-30T08:00:00+03:00")
    rows = cli.json("campaign", "list")
    assert rows == [
        {"id": 2, "name": "Seminar 2026-W49", "week": "2026-W49", "status": "open", "owner": "irina",
         "pipeline": "seminar", "rolled_from": "Seminar 2026-W48", "deals": 2, "open_deals": 2},
        {"id": 1, "name": "Seminar 2026-W48", "week": "2026-W48", "status": "open", "owner": "irina",
         "pipeline": "seminar", "rolled_from": None, "deals": 3, "open_deals": 2},
    ]
    cli("campaign", "close", "Seminar 2026-W48")
    assert [r["name"] for r in cli.json("campaign", "list", "--status", "closed")] == ["Seminar 2026-W48"]
