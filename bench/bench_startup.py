"""How fast `yoolla` starts and answers, beside its peers, measured in the same run.

    pip install -e '.[bench]'
    python bench/bench_startup.py                          # --version, --help, a command's --help
    python bench/bench_startup.py --db /work/bench-db/big.sqlite   # + report weekly/managers/funnel
    git archive main yoolla_tui | tar -x -C /tmp/before            # a version to compare with:
    python bench/bench_startup.py --db big.sqlite --before /tmp/before   # its reports in the same rounds
    # a version with an older schema reads a copy of the database at its revision:
    python bench/bench_startup.py --db big.sqlite --before /tmp/before --before-db big-0013.sqlite

Peers: `sqlite-utils --version` / `--help` (a click CLI), `python -c pass`, and for the reports the
floor of any command that touches the database, `python -c "import sqlmodel"`, and
`sqlite-utils query` counting the calls. A/B interleaved, median of --rounds (5), CPU beside wall.

Both versions are measured with their bytecode compiled (`compileall`, as `pip install` leaves an
installed package; the peers have theirs): with PYTHONDONTWRITEBYTECODE set, an editable checkout
would otherwise compile its ~40 modules from source on every run (about 0.1 s CPU) and the
figure would measure that, not the command.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ab import ab, table  # noqa: E402

PY = sys.executable
YOOLLA = shutil.which("yoolla", path=str(Path(PY).parent)) or "yoolla"
SQLITE_UTILS = shutil.which("sqlite-utils", path=str(Path(PY).parent)) or "sqlite-utils"
NOW = "2026-11-26T15:00:00+03:00"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="a database made by bench/make_db.py (SQLite path or URL, or PostgreSQL URL)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--user", default="irina")
    parser.add_argument("--before", metavar="DIR", help="a source tree holding another yoolla_tui (e.g. main's): its "
                        "reports run in the same rounds, with PYTHONPATH=DIR")
    parser.add_argument("--before-db", metavar="URL", help="the database --before reads (default: --db), e.g. a copy "
                        "downgraded to the revision that version knows")
    args = parser.parse_args()
    for tree in filter(None, [Path(__file__).resolve().parent.parent, args.before]):
        compileall.compile_dir(str(Path(tree) / "yoolla_tui"), quiet=1)

    table("start-up", ab({
        "sqlite-utils --version": [SQLITE_UTILS, "--version"],
        "yoolla --version": [YOOLLA, "--version"],
        "python -c pass": [PY, "-c", "pass"],
    }, rounds=args.rounds), peer="sqlite-utils --version")
    table("help", ab({
        "sqlite-utils --help": [SQLITE_UTILS, "--help"],
        "yoolla --help": [YOOLLA, "--help"],
        "yoolla report weekly --help": [YOOLLA, "report", "weekly", "--help"],
    }, rounds=args.rounds), peer="sqlite-utils --help")
    if not args.db:
        return
    url = args.db if "://" in args.db else f"sqlite:///{args.db}"
    before_url = args.before_db or url
    before_url = before_url if "://" in before_url else f"sqlite:///{before_url}"
    env = {**os.environ, "YOOLLA_DB": url, "YOOLLA_USER": args.user, "YOOLLA_NOW": NOW,
           "YOOLLA_TZ": os.environ.get("YOOLLA_TZ", "Europe/Moscow")}
    commands = {'python -c "import sqlmodel" (floor)': [PY, "-c", "import sqlmodel"]}
    if url.startswith("sqlite"):
        commands["sqlite-utils query: count(*) from call"] = [SQLITE_UTILS, "query", url.split("///", 1)[1], "select count(*) from call"]
    for name in ("weekly", "managers", "funnel"):
        commands[f"yoolla report {name} --format json"] = [YOOLLA, "report", name, "--format", "json"]
        if args.before:
            commands[f"yoolla report {name} --format json, before"] = [
                "env", f"PYTHONPATH={args.before}", f"YOOLLA_DB={before_url}", YOOLLA, "report", name, "--format", "json"]
    table(f"reports on {url.split('@')[-1]}", ab(commands, env=env, rounds=args.rounds), peer='python -c "import sqlmodel" (floor)')


if __name__ == "__main__":
    main()
