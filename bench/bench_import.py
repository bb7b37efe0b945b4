"""Import's figures (speed and memory against openpyxl and sqlite-utils), measured in one run on this machine (not a pass/fail test).

    /work/venv/bin/python bench/bench_import.py [--rows 100000] [--big 1000000] [--repeat 1] [--workdir DIR]

Needs the `bench` extra (sqlite-utils, psutil is optional). Prints, for N rows:
- openpyxl read-only iteration of the .xlsx, python-calamine, the csv module (in-process);
- `yoolla import` of the .xlsx into an empty database onto a campaign, as a whole process:
  wall time, ratio to openpyxl (target <= 1.0, ceiling 2.0), peak RSS (target < 300 MiB);
  the same with `--assign balanced`;
- `sqlite-utils insert --csv` of the cp1251 .csv vs `yoolla import` of it (target ratio <= 1.0);
- the big .csv (1M rows): time as a multiple of the N-row .csv (target <= 11x), peak RSS (< 500 MiB);
- re-import of the same .xlsx (all duplicates) vs the first import (target <= 1.0).
Each figure is the median of --repeat runs.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from yoolla_tui.core.calls.importing import samples

BIN = Path(sys.executable).parent
YOOLLA = [sys.executable, "-c", "from yoolla_tui.cli import app; app()"]
# Runs a command and reports its wall time and its own peak RSS (RUSAGE_CHILDREN of this wrapper).
MEASURE = ("import resource, subprocess, sys, time\n"
           "t = time.perf_counter()\n"
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode\n"
           "wall = time.perf_counter() - t\n"
           "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n")


def measure(cmd: list[str], env: dict) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of one process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], env=env, capture_output=True, text=True, check=True)
    wall, rss_kb, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return float(wall), int(rss_kb) / 1024


def fresh_db(workdir: Path, name: str) -> dict:
    """An initialised database with an admin, two managers and a campaign; returns the env to use it."""
    path = workdir / f"{name}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "YOOLLA_DB": f"sqlite:///{path}", "YOOLLA_USER": "bench"}
    run = lambda *args: subprocess.run([*YOOLLA, *args], env=env, check=True, capture_output=True)  # noqa: E731
    run("init", "--admin", "bench")
    run("user", "add", "anna")
    run("user", "add", "boris")
    run("campaign", "create", "Bench", "--week", "2026-W48")
    return env


def median_of(repeat: int, fn) -> tuple[float, float]:
    results = [fn() for _ in range(repeat)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def openpyxl_iterate(path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    for _row in book.active.iter_rows(values_only=True):
        pass
    book.close()


def calamine_iterate(path: Path) -> None:
    from python_calamine import load_workbook

    for _row in load_workbook(path).get_sheet_by_index(0).iter_rows():
        pass


def csv_iterate(path: Path) -> None:
    with path.open(encoding="cp1251", newline="") as fh:
        for _row in csv.reader(fh, delimiter=";"):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="rows of the growth CSV (0: skip)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workdir", help="keep generated files here (default: a temp dir)")
    args = parser.parse_args()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="yoolla-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    n = args.rows
    xlsx, csv_path, big = workdir / f"list{n}.xlsx", workdir / f"list{n}.csv", workdir / f"list{args.big}.csv"
    print(f"files in {workdir}")
    if not xlsx.exists():
        print(f"generating {xlsx.name} …", flush=True)
        samples.write_xlsx(xlsx, n)
    if not csv_path.exists():
        samples.write_csv(csv_path, n, titles=False)  # sqlite-utils takes the first line as the header
    if args.big and not big.exists():
        print(f"generating {big.name} …", flush=True)
        samples.write_csv(big, args.big, titles=False)

    rows: list[tuple[str, str, str]] = []

    def show(label: str, value: str, target: str = "") -> None:
        rows.append((label, value, target))
        print(f"  {label:<58} {value:>16}  {target}", flush=True)

    print(f"\n{n:,} rows, median of {args.repeat}")
    t_openpyxl = statistics.median(timed(lambda: openpyxl_iterate(xlsx)) for _ in range(args.repeat))
    show("openpyxl read-only iteration (.xlsx)", f"{t_openpyxl:.2f} s")
    show("python-calamine iteration (.xlsx)", f"{statistics.median(timed(lambda: calamine_iterate(xlsx)) for _ in range(args.repeat)):.2f} s")
    show("csv module iteration (cp1251 .csv)", f"{statistics.median(timed(lambda: csv_iterate(csv_path)) for _ in range(args.repeat)):.2f} s")

    def first_import(extra: list[str]):
        env = fresh_db(workdir, "xlsx")
        return measure([*YOOLLA, "import", str(xlsx), "--campaign", "Bench", *extra], env)

    t_xlsx, rss_xlsx = median_of(args.repeat, lambda: first_import([]))
    show("yoolla import .xlsx onto a campaign (whole process)", f"{t_xlsx:.2f} s", "")
    show("  ratio to openpyxl", f"{t_xlsx / t_openpyxl:.2f}x", "target <= 1.0x, ceiling 2.0x")
    show("  peak RSS", f"{rss_xlsx:.0f} MiB", "target < 300 MiB")
    t_assign, rss_assign = median_of(args.repeat, lambda: first_import(["--assign", "balanced"]))
    show("yoolla import .xlsx onto a campaign --assign balanced", f"{t_assign:.2f} s")
    show("  ratio to openpyxl", f"{t_assign / t_openpyxl:.2f}x", "target <= 1.0x, ceiling 2.0x")
    show("  peak RSS", f"{rss_assign:.0f} MiB", "target < 300 MiB")

    env = fresh_db(workdir, "xlsx")
    measure([*YOOLLA, "import", str(xlsx), "--campaign", "Bench"], env)
    t_again, _ = median_of(args.repeat, lambda: measure([*YOOLLA, "import", str(xlsx), "--campaign", "Bench"], env))
    show("re-import of the same .xlsx (all duplicates)", f"{t_again:.2f} s")
    show("  ratio to the first import", f"{t_again / t_xlsx:.2f}x", "target <= 1.0x")

    def sqlite_utils():
        target = workdir / "sqlite-utils.sqlite"
        target.unlink(missing_ok=True)
        return measure([str(BIN / "sqlite-utils"), "insert", str(target), "clients", str(csv_path), "--csv",
                        "--delimiter", ";", "--encoding", "cp1251"], dict(os.environ))

    t_su, _ = median_of(args.repeat, sqlite_utils)
    show("sqlite-utils insert --csv (cp1251 .csv)", f"{t_su:.2f} s")
    t_csv, rss_csv = median_of(args.repeat, lambda: measure([*YOOLLA, "import", str(csv_path)], fresh_db(workdir, "csv")))
    show("yoolla import of the same .csv (whole process)", f"{t_csv:.2f} s")
    show("  ratio to sqlite-utils", f"{t_csv / t_su:.2f}x", "target <= 1.0x")
    show("  peak RSS", f"{rss_csv:.0f} MiB")

    if args.big:
        t_big, rss_big = median_of(args.repeat, lambda: measure([*YOOLLA, "import", str(big)], fresh_db(workdir, "big")))
        show(f"yoolla import of a {args.big:,}-row .csv", f"{t_big:.2f} s")
        show(f"  growth: multiple of the {n:,}-row .csv", f"{t_big / t_csv:.1f}x", f"target <= {11 * args.big // n // 10}x")
        show("  peak RSS", f"{rss_big:.0f} MiB", "target < 500 MiB")


if __name__ == "__main__":
    main()
