"""Docs can't drift (sqlite-utils' test_docs): every command has help and is in the README, and
the README's walk-through runs, command by command, exactly as written."""

import re
import shlex

import pytest
import typer.main

from tests.conftest import Cli
from yoolla_tui.cli import app


def _leaf_commands(group, prefix=("yoolla",)):
    for name in group.list_commands(None):  # the root loads each command as it is asked for (cli/_lazy.py)
        command, path = group.get_command(None, name), prefix + (name,)
        if getattr(command, "commands", None):
            yield from _leaf_commands(command, path)
        else:
            yield " ".join(path), command


COMMANDS = sorted(_leaf_commands(typer.main.get_command(app)))


@pytest.mark.parametrize("path,command", COMMANDS, ids=[p for p, _c in COMMANDS])
def test_command_has_help_and_is_in_readme(path, command, repo_root):
    assert (command.help or "").strip(), f"{path} has no help text"
    assert f"`{path}" in (repo_root / "README.md").read_text(encoding="utf-8"), f"{path} is missing from the README"


def _walkthrough(repo_root, heading: str = "## The week, from the shell") -> list[str]:
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def run_walkthrough(repo_root, heading: str = "## The week, from the shell") -> tuple[Cli, dict[str, str], int]:
    """Run a README section's shell block line by line (in the current directory), asserting each
    command exits 0; returns the runner, the exported environment and how many commands ran."""
    env: dict[str, str] = {}
    cli = Cli("unused")
    ran = 0
    for line in _walkthrough(repo_root, heading):
        words = shlex.split(line, comments=True)
        if words[0] == ".":
            continue
        if words[0] == "export":
            env.update(word.split("=", 1) for word in words[1:])
            continue
        assert words[0] == "yoolla", line
        cli.url = env["YOOLLA_DB"]
        result = cli(*words[1:], user=None, env=env, code=None)
        assert result.exit_code == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        ran += 1
    return cli, env, ran


def test_readme_walkthrough_runs(tmp_path, repo_root, monkeypatch):
    """The weekly story in the README, run line by line: every command exits 0."""
    monkeypatch.chdir(tmp_path)
    cli, env, ran = run_walkthrough(repo_root)
    assert ran > 25
    # The story's end state: deal 1 paid, the do-not-call client off the new list.
    deal = cli.json("deal", "show", "1", user="irina", env=env)
    assert (deal["stage"], deal["invoice"], deal["paid"]) == ("paid", "15000.00", "15000.00")
    new_list = cli.json("deal", "list", "--campaign", "Seminar 2026-W49", user="irina", env=env)
    assert sorted(d["client"] for d in new_list) == ["ИП Соколов", "ООО Вектор", "ООО Заря"]
