"""`yoolla client list --search` uses the dashboard's rule: a phone in any form, ё as е."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("typed", ["84999808259", "8 499 980-82-59", "+7 499 980 82 59", "499 980 82 59", "8259",
                                   "юпитер", "ЮПИТЁР"])
def test_client_list_search_finds_the_client_however_typed(cli, typed):
    cli("client", "add", "ООО «Юпитер»", "--phone", "+7 499 980-82-59")
    cli("client", "add", "АО «Другой»", "--phone", "+7 495 111-22-33")
    assert [c["name"] for c in cli.json("client", "list", "--search", typed)] == ["ООО «Юпитер»"]

