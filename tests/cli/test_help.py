"""Help that teaches: every command's --help shows what to type (`--user LOGIN`, never `<str>`), has
at least one example that names a real command with options it takes, `db --help` names every db
command, and shell completion installs with one command and completes `yoolla de` to deal."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from yoolla_tui.cli import app

TYPE_WORDS = ("<list[", "<str>", "<bool>", "<int>", "<float>", "<path>", "<file>", "<int range>")
EXAMPLE = re.compile(r"^\s*Example:\s*(yoolla\b.*)$")
MARKUP = re.compile(r"\[/?[a-z ]+\]")


def _tree():
    """(path, command) for the root, every group and every command, including a group's default one
    (`yoolla import FILE`)."""
    root = typer.main.get_command(app)
    found = []

    def walk(path, command):
        found.append((path, command))
        default = getattr(command, "default_command", None)
        if default is not None:
            found.append((path, default))
        if hasattr(command, "list_commands"):
            for name in command.list_commands(None):
                walk([*path, name], command.get_command(None, name))

    walk([], root)
    return root, found


ROOT, TREE = _tree()


def _help(path):
    extra = ["FILE.xlsx"] if path == ["import", "FILE.xlsx"] else []
    result = CliRunner().invoke(app, [*path, *extra, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, (path, result.output)
    return result.output


def _examples(help_text: str) -> list[str]:
    """The example lines of a command's help: `Example: yoolla …`, or the indented lines under an
    `Examples:` paragraph."""
    lines, found, under = (help_text or "").splitlines(), [], False
    for line in lines:
        match = EXAMPLE.match(line)
        if match:
            found.append(match.group(1))
        elif line.strip().startswith("Examples:"):
            under = True
        elif under and line.strip().startswith("yoolla "):
            found.append(line.strip())
        elif under and line.strip() and not line.startswith(" "):
            under = False
    return [MARKUP.sub("", example).strip() for example in found]


def _label(path, command):
    return " ".join(path) + (" FILE" if getattr(command, "name", "") == "run" else "") or "(root)"


@pytest.mark.parametrize("path,command", TREE, ids=[_label(p, c) for p, c in TREE])
def test_help_has_an_example_and_no_type_words(path, command):
    assert _examples(command.help), f"`yoolla {_label(path, command)} --help` has no 'Example: yoolla …' line"
    shown = _help(path + (["FILE.xlsx"] if command.name == "run" else []))
    assert [word for word in TYPE_WORDS if word in shown] == [], shown


def _parse_example(example: str):
    """Resolve an example to its command and let Click parse its words (unknown options, missing
    arguments and bad values are errors); nothing runs."""
    words = shlex.split(example, comments=True)
    for stop in (">", ">>", "|", "<"):
        if stop in words:
            words = words[:words.index(stop)]
    assert words[0] == "yoolla", example
    words = words[1:]
    command, path = ROOT, ["yoolla"]
    takes_value = {opt for param in ROOT.params if not getattr(param, "is_flag", False) for opt in param.opts}
    while words and words[0] in takes_value:  # global options before the command: yoolla --user anna …
        words = words[2:]
    while hasattr(command, "list_commands"):
        names = command.list_commands(None)
        if words and words[0] in names:
            path.append(words[0])
            command = command.get_command(None, words.pop(0))
        elif getattr(command, "default_command", None) is not None:
            command = command.default_command
        else:
            raise AssertionError(f"{example!r}: no command {words[:1]} under `{' '.join(path)}`")
    command.make_context(" ".join(path), list(words))  # raises click's UsageError when the words do not parse
    return command


@pytest.mark.parametrize("path,command", TREE, ids=[_label(p, c) for p, c in TREE])
def test_every_example_names_a_real_command_and_parses(path, command):
    for example in _examples(command.help):
        assert example.split()[0] == "yoolla"
        _parse_example(example)


def test_the_commands_that_had_no_example_have_one():
    wanted = ["db upgrade", "db status", "client edit", "client show", "client dnc", "client allow", "campaign show",
              "campaign close", "campaign move", "deal show", "deal advance", "deal invoice", "deal pay", "call log"]
    helps = {" ".join(p): c.help for p, c in TREE}
    assert [name for name in wanted if not _examples(helps[name])] == []


def test_metavars_say_what_to_type():
    shown = _help(["task", "add"])
    for word in ("--after             TASK…", "--assignee  -a      LOGIN", "--priority  -p      N"):
        assert word in shown, shown
    assert "--date              DATE" in _help(["report", "daily"])
    daily = _help(["report", "daily"])
    assert re.search(r"--out\s+-o\s+FILE", daily) and re.search(r"--format\s+-f\s+\[table\|md\|csv\|json\|xlsx\]", daily)
    assert re.search(r"--limit\s+N\b", _help(["deal", "list"]))
    assert re.search(r"--user\s+-u\s+LOGIN", _help([]))
    assert re.search(r"--all\s+Every row", _help(["deal", "list"]))  # a flag: nothing between the name and its help


def test_db_help_names_backup_restore_and_check():
    first = _help(["db"]).split("╭")[0]  # the summary, above the panels
    for word in ("upgrade", "backup", "restore", "check"):
        assert word in first, first


def _bash_complete(line: str, env: dict) -> list[str]:
    """What bash offers for `line` + TAB, through the script `yoolla --show-completion bash` prints."""
    script = subprocess.run([shutil.which("yoolla", path=env["PATH"]), "--show-completion", "bash"], capture_output=True,
                            text=True, env=env, timeout=60, check=True).stdout
    words = shlex.split(line)
    if line.endswith(" "):
        words.append("")
    probe = (f"{script}\nCOMP_WORDS=({' '.join(shlex.quote(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
             "_yoolla_completion yoolla\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    result = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.fixture
def shell_env(tmp_path):
    if not shutil.which("bash"):
        pytest.skip("bash is not installed")
    bin_dir = str(Path(sys.executable).parent)
    # Typer finds the shell by walking up the process tree; under a test runner's workers (CI, xdist)
    # there may be none to find, so the shell is named on the command line, as a person may do too.
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/bash", "YOOLLA_LANG": "en",
            "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}


def test_completion_offers_deal_for_de(shell_env):
    assert "deal" in _bash_complete("yoolla de", shell_env)
    assert "list" in _bash_complete("yoolla deal l", shell_env)


def test_completion_installs_with_one_command(shell_env, tmp_path):
    result = subprocess.run([os.path.join(shell_env["PATH"].split(":")[0], "yoolla"), "--install-completion", "bash"],
                            capture_output=True, text=True, env=shell_env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "yoolla.sh" in (tmp_path / ".bashrc").read_text()
    assert "_YOOLLA_COMPLETE=complete_bash" in (tmp_path / ".bash_completions" / "yoolla.sh").read_text()


def test_the_readme_shows_how_to_install_completion(repo_root):
    assert "yoolla --install-completion" in (repo_root / "README.md").read_text(encoding="utf-8")


def test_help_paragraphs_fill_the_terminal_instead_of_breaking_where_the_source_did():
    """Typer keeps a docstring's line breaks after its first paragraph: at 80 columns the import's
    help read "(Фамилия, Имя," / "Отчество; …" on two short lines. Paragraphs are joined again;
    examples and bullets keep their own lines."""
    run = CliRunner().invoke(app, ["import", "FILE.xlsx", "--help"], env={"COLUMNS": "80"})
    lines = [line.strip() for line in run.output.splitlines()]
    assert any("(Фамилия, Имя, Отчество; First name, Last name)" in line for line in lines), run.output
    log = CliRunner().invoke(app, ["call", "log", "--help"], env={"COLUMNS": "80"}).output
    examples = [line.strip() for line in log.splitlines() if line.strip().startswith("Example:")]
    assert examples[-1] == "Example: yoolla call log 253 --outcome no_answer", log


def test_reflow_keeps_examples_bullets_and_indented_lines():
    from yoolla_tui.cli._help import reflow

    text = ("First line\n    of the first paragraph.\n\n    A paragraph wrapped\n    for the source code.\n\n"
            "    - a bullet\n    - another\n\n    Example: yoolla deal list\n    Example: yoolla deal show 1\n\n"
            "    Examples:\n\n      yoolla a\n      yoolla b")
    assert reflow(text) == ("First line\nof the first paragraph.\n\nA paragraph wrapped for the source code.\n\n"
                            "- a bullet\n- another\n\nExample: yoolla deal list\nExample: yoolla deal show 1\n\n"
                            "Examples:\n\n  yoolla a\n  yoolla b")
