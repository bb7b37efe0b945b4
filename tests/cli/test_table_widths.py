"""Tables that fit the terminal: at 80 and 100 columns every listing, card and report shows each
row's keys (ids, logins, dates, phones: what people type next) whole, on the row's line, in their
own column; the table is no wider than the terminal; and a column left out is named in the caption.

Every command of the CLI is either run here (RUN) or skipped with the reason (SKIP), so a new
command cannot be forgotten. The data is the demo (300 clients and deals, three managers, the week
so far called, documents and notifications) plus orders, tasks, checkpoints and a process."""

from __future__ import annotations

import io
import shutil

import pytest
import typer.main
from rich.cells import cell_len

from tests.conftest import PG_URL, Cli
from yoolla_tui.cli import app, output
from yoolla_tui.core.kernel import db

NOW = "2026-11-25T15:00:00+03:00"  # Wednesday: Monday to Wednesday already called by the demo

# command → (arguments, who runs it)
RUN = {
    "db status": (["db", "status"], "admin"),
    "db check": (["db", "check"], "admin"),
    "user list": (["user", "list"], "admin"),
    "client list": (["client", "list", "--offset", "100", "--limit", "40"], "admin"),
    "client show": (["client", "show", "253"], "admin"),
    "import list": (["import", "list"], "admin"),
    "import show": (["import", "show", "1"], "admin"),
    "campaign list": (["campaign", "list"], "admin"),
    "campaign show": (["campaign", "show", "1"], "admin"),
    "deal list": (["deal", "list", "--due", "today"], "anna"),
    "deal show": (["deal", "show", "253"], "anna"),
    "call reasons": (["call", "reasons"], "anna"),
    "stage list": (["stage", "list"], "admin"),
    "stage trigger list": (["stage", "trigger", "list"], "admin"),
    "lost-reason list": (["lost-reason", "list"], "admin"),
    "checkpoint list": (["checkpoint", "list", "253"], "anna"),
    "checkpoint type list": (["checkpoint", "type", "list"], "admin"),
    "health": (["health"], "anna"),
    "document list": (["document", "list"], "admin"),
    "order list": (["order", "list"], "admin"),
    "order show": (["order", "show", "1"], "admin"),
    "order why": (["order", "why", "1"], "admin"),
    "task show": (["task", "show", "1"], "admin"),
    "task queue": (["task", "queue", "--of", "egor"], "admin"),
    "task why": (["task", "why", "2"], "admin"),
    "task time": (["task", "time", "1"], "admin"),
    "template list": (["template", "list"], "admin"),
    "template show": (["template", "show", "website"], "admin"),
    "process list": (["process", "list"], "admin"),
    "process show": (["process", "show", "1"], "admin"),
    "schedule show": (["schedule", "show", "egor"], "admin"),
    "inbox": (["inbox"], "anna"),
    "report daily": (["report", "daily"], "admin"),
    "report weekly": (["report", "weekly"], "admin"),
    "report funnel": (["report", "funnel"], "admin"),
    "report managers": (["report", "managers"], "admin"),
    "report lost": (["report", "lost"], "admin"),
    "report checkpoints": (["report", "checkpoints"], "admin"),
    "report processes": (["report", "processes"], "admin"),
    "report efficiency": (["report", "efficiency"], "admin"),
    "audit": (["audit", "--limit", "60"], "admin"),
}

WRITES = "a write: it changes the database and prints a confirmation line (a card, if any, is the same renderer as show)"
SKIP = {
    "init": "creates a database; prints one line",
    "demo": "builds its own database; its two tables are the same renderer as report daily / campaign show",
    "dashboard": "the Textual app, not a CLI table (its own snapshot tests)",
    "db upgrade": "migrations; prints one line",
    "db backup": "writes a file; prints one line",
    "db restore": "replaces the database; prints one line",
    "company show": "field/value pairs (render_one), not a table of rows",
    "mail show": "field/value pairs (render_one), not a table of rows",
    "next": "reserves a pool contact (a write); its card is render_one's field/value pairs",
    "import": "imports a file (a write); its preview is the same renderer as import show",
    **{name: WRITES for name in [
        "user add", "user map", "user deactivate", "user activate", "user role", "user password", "client add", "client edit", "client dnc", "client allow", "import undo",
        "campaign create", "campaign close", "campaign add", "campaign assign", "campaign move", "campaign rollover",
        "campaign export", "deal advance", "deal invoice", "deal pay", "deal set", "deal document", "call log",
        "call undo", "stage add", "stage rename", "stage move", "stage remove", "stage set", "stage trigger add",
        "stage trigger on", "stage trigger off", "stage trigger remove", "lost-reason add", "lost-reason remove",
        "checkpoint set", "checkpoint done", "checkpoint type add", "checkpoint type set", "document send",
        "company set", "mail set", "order add", "order status", "task add", "task comment", "task status",
        "task depend", "task start", "task stop", "process start", "process approve", "process reject",
        "schedule set", "schedule leave"]},
}


def _commands() -> list[str]:
    found = []

    def walk(path, command):
        if hasattr(command, "list_commands"):
            if getattr(command, "default_command", None) is not None:
                found.append(" ".join(path))
            for name in command.list_commands(None):
                walk([*path, name], command.get_command(None, name))
        else:
            found.append(" ".join(path))

    walk([], typer.main.get_command(app))
    return found


def test_every_command_is_rendered_here_or_skipped_for_a_reason():
    commands = _commands()
    assert sorted(set(commands) - set(RUN) - set(SKIP)) == [], "add the new command to RUN or SKIP"
    assert sorted((set(RUN) | set(SKIP)) - set(commands)) == [], "a command in RUN or SKIP no longer exists"


# How a table is drawn does not depend on the database; the demo these tables show is a SQLite
# file copied from the suite's template, so the PostgreSQL pass leaves this module to the SQLite one.
pytestmark = pytest.mark.skipif(bool(PG_URL), reason="table widths are the same on both databases; checked in the SQLite pass")


@pytest.fixture(scope="module")
def demo_url(_template, tmp_path_factory):
    """The demo, built once for this module, with orders, tasks, checkpoints and a process added."""
    from yoolla_tui.core.maintenance import demo

    path = tmp_path_factory.mktemp("widths") / "demo.sqlite"
    shutil.copy(_template, path)
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YOOLLA_NOW", NOW)
        mp.setenv("YOOLLA_TZ", "Europe/Moscow")
        mp.setenv("YOOLLA_LANG", "en")
        demo.build(db.get_engine(url), clients_count=300)
        cli = Cli(url)

        def run(*args, user="admin"):
            cli(*args, user=user, now=NOW)

        run("user", "add", "egor", "--role", "executor")
        run("user", "add", "sonya", "--role", "supervisor")
        run("checkpoint", "type", "add", "Design")
        run("checkpoint", "set", "253", "Design", "--due", "2026-11-24 18:00", user="anna")
        run("order", "add", "253", "Сайт для семинара", "--template", "website")
        run("order", "add", "256", "Баннер", "--qty", "2")
        run("task", "add", "2", "Макет баннера для входной группы и стойки регистрации", "--type", "design",
            "--assignee", "egor", "--estimate", "2h")
        run("task", "time", "1", "--add", "1h", "--at", "2026-11-24 10:00")
        run("task", "time", "5", "--add", "1h30m", "--at", "2026-11-24 11:00")
        run("task", "status", "5", "done", user="egor")  # 5: the banner's layout, finished (report efficiency)
        run("process", "start", "253", "approval")
    yield url
    db.get_engine(url).dispose()


def _tables(rendered: list, printed: str, width: int) -> None:
    """Check each table `_table_to` printed: keys whole on their row's line, the width, the caption."""
    for rows, cols, text in rendered:
        lines = text.splitlines()
        assert max(map(cell_len, lines)) <= width, text
        head = [line for line in lines if line.startswith("┃")]
        pieces = list(zip(*[[c.strip() for c in line.strip("┃").split("┃")] for line in head]))
        shown = ["".join(parts) for parts in pieces]
        for parts in pieces:  # a header folds after "_" ("not_" over "called"), never inside a word
            folded = [part for part in parts if part]
            assert all(part.endswith("_") for part in folded[:-1]), f"header {''.join(folded)!r} folds inside a word:\n{text}"
        assert set(shown) <= set(cols), (shown, cols, text)
        left_out = [c for c in cols if c not in shown]
        if left_out:
            assert ", ".join(left_out) in " ".join(text.split()), text  # the caption names them, in order
        body = [[c.strip() for c in line.strip("│").split("│")] for line in lines if line.startswith("│")]
        keys = [(shown.index(c), c) for c in shown if output.is_key(c)]
        assert [c for c in cols if output.is_key(c) and c not in shown] == [], f"a key column was left out:\n{text}"
        at = 0
        for row in rows:
            want = {i: output.printable_line(output._cell(row[c])) for i, c in keys if row.get(c) is not None}
            while at < len(body) and any(body[at][i] != v for i, v in want.items()):
                at += 1
            assert at < len(body), f"a row's keys {want} are not whole on one line:\n{text}"
            at += 1
        assert text in printed


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("name", sorted(RUN))
def test_keys_stay_whole(demo_url, monkeypatch, name, width):
    args, user = RUN[name]
    rendered = []
    original = output._table_to

    def recording(target, rows, cols, title):
        from rich.console import Console

        probe = Console(width=target.width, record=True, file=io.StringIO(), no_color=True)
        original(probe, rows, cols, title)
        rendered.append((list(rows), list(cols), probe.export_text()))
        original(target, rows, cols, title)

    monkeypatch.setattr(output, "_table_to", recording)
    monkeypatch.setattr(output.console, "width", width)
    result = Cli(demo_url)(*args, user=user, now=NOW)
    assert rendered, f"`yoolla {' '.join(args)}` printed no table:\n{result.stdout}"
    _tables(rendered, result.stdout, width)
    assert all(cell_len(line) <= width for line in result.stdout.splitlines() if line.startswith(("┃", "│", "┏", "└"))), result.stdout
