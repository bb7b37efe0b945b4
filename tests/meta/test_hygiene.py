"""The core is reachable without any UI (harlequin's contract): importing every core module
loads none of textual, rich, typer or click, and import-linter's contract holds."""

import pkgutil
import shutil
import subprocess
import sys

import yoolla_tui.core


def test_core_imports_no_ui_library():
    names = [m.name for m in pkgutil.walk_packages(yoolla_tui.core.__path__, "yoolla_tui.core.")]
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in names)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'typer', 'click'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in UI libraries: {out.stdout.strip()}"
    assert "yoolla_tui.core.calls.deals" in names


def test_import_linter_contract(repo_root):
    exe = shutil.which("lint-imports", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert exe, "import-linter is part of the test extra"
    out = subprocess.run([exe], cwd=repo_root, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
