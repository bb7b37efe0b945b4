"""Start-up: `yoolla --version`, `--help` and every command's `--help` answer without SQLAlchemy,
SQLModel or the models (each costs a user half a second before anything prints); the command list
keeps its order and summary lines although commands load only when used (cli/_lazy.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import typer.main

HEAVY = ("sqlalchemy", "sqlmodel", "yoolla_tui.core.kernel.models")

# Runs the CLI like the `yoolla` script does, then says which heavy modules got imported.
PROBE = """
import json, sys
from yoolla_tui.cli import app
try:
    app(sys.argv[1:], prog_name="yoolla")
except SystemExit:
    pass
sys.__stderr__.write(json.dumps([m for m in {heavy!r} if m in sys.modules]))
"""


def _probe(*args: str, code: str = PROBE) -> tuple[str, list[str]]:
    result = subprocess.run([sys.executable, "-c", code.format(heavy=HEAVY), *args], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "YOOLLA_LANG": "en"}, timeout=120)
    return result.stdout, json.loads(result.stderr.strip().splitlines()[-1])


def test_version_imports_no_orm():
    out, heavy = _probe("--version")
    assert out.strip() == "yoolla 0.1.0"
    assert heavy == []


def test_help_imports_no_orm_and_lists_every_command_in_story_order():
    out, heavy = _probe("--help")
    assert heavy == []
    from yoolla_tui.cli.context import STORY_ORDER

    listed = [line.split()[1] for line in out.splitlines() if line.startswith("│ ") and len(line.split()) > 2
              and line.split()[1] in STORY_ORDER and not line.split()[1].startswith("-")]
    assert listed == [name for name in STORY_ORDER]
    assert "report       Reports for the administrator and cron." in out


WALK = """
import json, sys
from typer.testing import CliRunner
import typer.main
from yoolla_tui.cli import app

runner, root, helped = CliRunner(), typer.main.get_command(app), []

def walk(path, command):
    result = runner.invoke(app, [*path, "--help"], env={{"COLUMNS": "200"}})
    assert result.exit_code == 0 and "Usage: yoolla" in result.output, (path, result.output)
    helped.append(" ".join(path))
    for name in getattr(command, "list_commands", lambda ctx: [])(None):
        walk([*path, name], command.get_command(None, name))

for name in root.list_commands(None):
    walk([name], root.get_command(None, name))
print(len(helped))
sys.__stderr__.write(json.dumps([m for m in {heavy!r} if m in sys.modules]))
"""


def test_every_commands_help_imports_no_orm():
    out, heavy = _probe(code=WALK)
    assert int(out.strip()) > 80  # every group and command of the CLI was asked for its help
    assert heavy == []


def test_summary_lines_are_the_loaded_commands_own():
    """The root lists each command from a kept summary; it must say what the command's own help says."""
    from yoolla_tui.cli import app
    from yoolla_tui.cli.context import YoollaGroup
    from yoolla_tui.cli.funnel import DEFAULT_PIPELINE
    from yoolla_tui.core.kernel import reference

    root = typer.main.get_command(app)
    for name, (_loader, summary) in YoollaGroup.lazy.items():
        command = root.get_command(None, name)
        assert command is not None, name
        assert command.short_help == summary, (
            f"`yoolla {name}`'s summary changed: update its line in yoolla_tui/cli/__init__.py to {command.short_help!r}")
    assert DEFAULT_PIPELINE == reference.DEFAULT_PIPELINE


def test_a_command_loads_only_its_own_group():
    code = """
import sys
from yoolla_tui.cli import app
try:
    app(["user", "--help"], prog_name="yoolla")
except SystemExit:
    pass
sys.__stderr__.write(__import__("json").dumps(sorted(m for m in sys.modules if m.startswith("yoolla_tui.cli."))))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    assert "yoolla_tui.cli.users" in loaded
    assert not {"yoolla_tui.cli.reports", "yoolla_tui.cli.funnel", "yoolla_tui.cli.tasks", "yoolla_tui.cli.admin"} & set(loaded)


def test_completion_lists_commands_without_loading_them():
    code = """
import os, sys
os.environ.update({"_YOOLLA_COMPLETE": "complete_bash", "COMP_WORDS": "yoolla re", "COMP_CWORD": "1"})
from yoolla_tui.cli import app
try:
    app(prog_name="yoolla")
except SystemExit:
    pass
sys.__stderr__.write(__import__("json").dumps([m for m in %r if m in sys.modules]))
""" % (HEAVY,)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []
    assert result.stdout.split() == ["report"]
