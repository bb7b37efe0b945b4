"""Repository hygiene: what is tracked, and what a regular install carries."""

import subprocess
import tomllib
from fnmatch import fnmatch
from pathlib import Path

MB = 1024 * 1024


def tracked(repo_root: Path) -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=repo_root, capture_output=True, check=True)
    return [name for name in out.stdout.decode().split("\0") if name]


def test_no_big_binary_outside_test_fixtures(repo_root):
    big = [name for name in tracked(repo_root)
           if not name.startswith("tests/fixtures/") and (repo_root / name).is_file()
           and (repo_root / name).stat().st_size > MB]
    assert big == [], f"files over 1 MB tracked outside tests/fixtures/: {big}"


def test_every_shipped_data_file_is_package_data(repo_root):
    """A wheel carries what `pip install .` needs: every tracked file under yoolla_tui/data is
    matched by a package-data pattern (a missing pattern is the FileNotFoundError after
    `pip install .` that an editable checkout hides)."""
    patterns = tomllib.loads((repo_root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["yoolla_tui"]
    shipped = [name.removeprefix("yoolla_tui/") for name in tracked(repo_root) if name.startswith("yoolla_tui/data/")]
    assert shipped, "the shipped data lives in yoolla_tui/data"
    unmatched = [name for name in shipped if not any(fnmatch(name, pat) for pat in patterns)]
    assert unmatched == [], f"not in [tool.setuptools.package-data]: {unmatched}"


def test_gitattributes_has_no_repeated_line(repo_root):
    lines = [line for line in (repo_root / ".gitattributes").read_text().splitlines() if line.strip()]
    assert len(lines) == len(set(lines))
