"""The README pastes: every ```sh block, in order, in ONE shell, from the repository root.

This is what a newcomer does after the two set-up commands (issue: "A newcomer's first hour").
The blocks run in one bash process, so an `export` in one section reaches every later one, as in
a real terminal. A command that fails fails the test, unless its line says why it may:

- `# refused` in a line's comment: the README shows a refusal on purpose; the command must fail;
- `# needs a terminal` (the dashboard): not run here, there is no terminal;
- `<!-- not in the walk-through: WHY -->` on the line before a block: the whole block is skipped
  (the set-up commands themselves, a PostgreSQL server the reader names, system administration,
  benchmarks that take minutes). Each such block must say why.

The walk-through runs in a scratch folder that looks like the repository root (yoolla_tui/ and
.venv/ are links), with its own user data directory, a local mail server on 127.0.0.1:8025 (the
README tells the reader to start one), and an 80-column terminal width.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.smtp_server import smtp_server_on

pytestmark = pytest.mark.slow

FENCE = re.compile(r"^```sh\n(.*?)^```\n", re.S | re.M)
SKIP = re.compile(r"<!-- not in the walk-through: (.+?) -->\s*$")
REFUSED = re.compile(r"#\s*refused\b")
TERMINAL = re.compile(r"#\s*needs a terminal\b")


def blocks(readme: str) -> list[tuple[int, str, str | None]]:
    """(line number of the block's first line, text, why it is skipped or None)."""
    out = []
    for match in FENCE.finditer(readme):
        first = readme.count("\n", 0, match.start(1)) + 1
        before = readme[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP.search(before)
        out.append((first, match.group(1), skip.group(1) if skip else None))
    return out


def script(readme: str) -> tuple[str, dict[int, str], set[int]]:
    """The bash script, the README line of each script line, and the script lines that must fail."""
    lines = ["set -E", 'trap \'echo "$LINENO" >> "$WALK_FAILED"\' ERR']
    origin: dict[int, str] = {}
    refused: set[int] = set()
    for first, text, why in blocks(readme):
        if why:
            continue
        continuing = False
        for i, line in enumerate(text.splitlines()):
            lineno = len(lines) + 1
            origin[lineno] = f"README.md:{first + i}: {line}"
            if TERMINAL.search(line) and not continuing:
                line = "# " + line
            elif REFUSED.search(line):
                refused.add(lineno)
            lines.append(line)
            continuing = line.rstrip().endswith("\\")
    return "\n".join(lines) + "\n", origin, refused


def test_every_block_is_either_walked_or_says_why(repo_root):
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    found = blocks(readme)
    assert len(found) > 10
    skipped = [why for _, _, why in found if why]
    assert all(len(why) > 10 for why in skipped)
    assert len(skipped) < len(found) / 2, "most of the README must be walked"


@pytest.mark.skipif(bool(os.environ.get("YOOLLA_TEST_DB")),
                    reason="the walk-through works in SQLite files of its own; CI pastes it in the SQLite pass")
def test_readme_walk_through_pastes_in_one_shell(repo_root, tmp_path):
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    text, origin, refused = script(readme)
    root = tmp_path / "yoolla"
    root.mkdir()
    for name in ("yoolla_tui", "scripts", "bench"):
        (root / name).symlink_to(repo_root / name)
    (root / ".venv").symlink_to(Path(sys.prefix))
    (root / "walk.sh").write_text(text, encoding="utf-8")
    failed = tmp_path / "failed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("YOOLLA_")}
    env.update(WALK_FAILED=str(failed), XDG_DATA_HOME=str(tmp_path / "share"), HOME=str(tmp_path),
               COLUMNS="80", TERM="dumb", PS4="+ walk.sh:${LINENO}: ")
    with smtp_server_on(8025) as inbox:
        run = subprocess.run(["bash", "-x", "walk.sh"], cwd=root, env=env, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=1500)
    log = run.stdout + run.stderr
    failures = {int(n) for n in failed.read_text().split()} if failed.exists() else set()
    # A command continued over several lines reports the line it ends on, or the one it starts on.
    def owner(n: int) -> int:
        while n > 1 and n - 1 in origin and origin[n - 1].rstrip().endswith("\\"):
            n -= 1
        return n
    failures = {owner(n) for n in failures}
    unexpected = sorted(failures - refused)
    not_refused = sorted(refused - failures)
    assert not unexpected and not not_refused, (
        "\n".join([f"failed: {origin.get(n, n)}" for n in unexpected]
                  + [f"marked '# refused' but succeeded: {origin.get(n, n)}" for n in not_refused])
        + "\n--- the end of the shell's output ---\n" + log[-6000:])
    assert "Traceback" not in log, log[log.index("Traceback") - 2000: log.index("Traceback") + 2000]
    assert inbox.received, "the documents section mails through the local server"
