"""What a report process loads: the weekly, managers and funnel reports run on every Monday's cron
and on the dashboard; loading modules they never call costs each run a tenth of a second."""

from __future__ import annotations

import json
import subprocess
import sys

# Modules only `--campaign NAME` (campaigns.resolve) or other commands need: clients, phone
# numbers, the import pipeline.
NOT_NEEDED = ["yoolla_tui.core.calls.campaigns", "yoolla_tui.core.calls.clients",
              "yoolla_tui.core.calls.importing", "phonenumbers"]


def test_the_report_layer_loads_no_campaign_import_or_phone_modules():
    code = ("import sys, json; import yoolla_tui.core.reports.summary; "
            f"sys.stdout.write(json.dumps([m for m in {NOT_NEEDED!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
