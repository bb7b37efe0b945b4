"""Issue 18: listings never cut silently. json and csv print every row (streamed), a table shows
one page and says what it left out, --limit N and --all on every listing command."""

import csv
import io
import json

import pytest

from tests.fixtures import sheets
from yoolla_tui.cli import output

CLIENTS = 1_234


@pytest.fixture
def base(cli, tmp_path):
    """1,234 clients, all on one campaign for anna (one import)."""
    rows = [["Организация", "Телефон"]] + [[f"Клиент {i:04d}", f"8 916 1{i:06d}"] for i in range(CLIENTS)]
    path = sheets.text(tmp_path / "big.csv", rows)
    cli("user", "add", "anna")
    cli("campaign", "create", "Big", "--week", "2026-W48")
    out = cli.json("import", path, "--campaign", "Big", "--manager", "anna")
    assert (out["inserted"], out["added_to_campaign"]) == (CLIENTS, CLIENTS)
    return cli


def test_client_list_json_has_every_client(base):
    rows = base.json("client", "list")
    assert len(rows) == CLIENTS
    assert len({r["id"] for r in rows}) == CLIENTS
    assert [r["name"] for r in rows[:2]] == ["Клиент 0000", "Клиент 0001"]


def test_client_list_csv_has_every_client(base):
    result = base("client", "list", "--format", "csv")
    lines = list(csv.reader(io.StringIO(result.stdout)))
    assert lines[0] == ["id", "name", "contact_person", "phone", "phone_ext", "city", "email", "do_not_call"]
    assert len(lines) == CLIENTS + 1
    assert result.stderr == ""


def test_client_table_shows_a_page_and_states_the_cut(base):
    result = base("client", "list")
    assert result.stdout.rstrip().endswith("200 of 1,234 shown: --limit N, --all")
    assert "Клиент 0199" in result.stdout and "Клиент 0200" not in result.stdout
    assert "10 of 1,234 shown: --limit N, --all" in base("client", "list", "--limit", "10").stdout
    everything = base("client", "list", "--all").stdout
    assert "Клиент 1233" in everything and "shown" not in everything


def test_table_footer_in_russian(base):
    result = base("client", "list", env={"YOOLLA_LANG": "ru"})
    assert result.stdout.rstrip().endswith("показано 200 из 1,234: --limit N, --all")


def test_a_limit_in_json_says_so_on_stderr(base):
    result = base("client", "list", "--format", "json", "--limit", "3")
    assert len(json.loads(result.stdout)) == 3
    assert result.stderr.strip() == "3 of 1,234 shown: --limit N, --all"


def test_search_and_offset_count_what_they_match(base):
    assert len(base.json("client", "list", "--search", "Клиент 00")) == 100
    assert base("client", "list", "--offset", "1200").stdout.count("Клиент 1") == 34
    assert "200 of 1,034 shown" in base("client", "list", "--offset", "200").stdout


def test_deal_list_json_has_every_deal_and_the_table_states_the_cut(base):
    assert len(base.json("deal", "list", "--campaign", "Big")) == CLIENTS
    assert base("deal", "list").stdout.rstrip().endswith("200 of 1,234 shown: --limit N, --all")
    assert len(base.json("deal", "list", "--closed", "--limit", "5")) == 5


@pytest.mark.parametrize("command,total", [
    (["user", "list"], 2), (["campaign", "list"], 1), (["import", "list"], 1), (["call", "reasons"], None),
    (["client", "list"], CLIENTS), (["deal", "list"], CLIENTS)])
def test_every_listing_takes_limit_and_all(base, command, total):
    """None: as many as the reference data holds (the funnel issue may add lost reasons)."""
    everything = base.json(*command)
    total = total or len(everything)
    assert len(everything) == total
    cut = base(*command, "--limit", "1").stdout
    if total > 1:
        assert cut.rstrip().endswith(f"1 of {total:,} shown: --limit N, --all")
    assert "shown:" not in base(*command, "--all").stdout
    assert len(base.json(*command, "--all")) == total


def test_import_show_streams_every_rejected_row_in_csv(cli, tmp_path):
    rows = [["Организация", "Телефон"], ["ООО Вектор", "8 495 123-45-67"]] + [[f"Мусор {i}", "нет"] for i in range(250)]
    cli.json("import", sheets.xlsx(tmp_path / "junk.xlsx", rows))
    lines = cli("import", "show", "1", "--format", "csv").stdout.splitlines()
    assert len(lines) == 251
    table = cli("import", "show", "1").stdout
    assert table.rstrip().endswith("200 of 250 shown: --limit N, --all")
    assert len(cli.json("import", "show", "1")["rejected_rows"]) == 250


def test_json_is_streamed_row_by_row(capsys):
    """render_listing writes each row as it comes: a failing source leaves the rows before it printed."""
    def rows():
        for i in range(3):
            yield {"id": i}
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError):
        output.render_listing(rows(), output.Fmt.json, ["id"])
    assert capsys.readouterr().out == '[\n{"id": 0},\n{"id": 1},\n{"id": 2}'


def test_a_generator_in_a_table_is_counted_for_the_footer(capsys):
    output.render_listing(({"id": i} for i in range(450)), output.Fmt.table, ["id"])
    assert capsys.readouterr().out.rstrip().endswith("200 of 450 shown: --limit N, --all")
    output.render_listing([], output.Fmt.json, ["id"])
    assert capsys.readouterr().out == "[]\n"
