"""A/B timing of whole processes on a shared machine: interleaved rounds, medians, CPU and load.

Each round runs every command once, in the same order, so a burst of load from elsewhere falls
on all of them alike; the figure quoted is the median of the rounds. CPU seconds (user + system
of the child) are printed beside wall seconds, and the 1-minute load average before and after.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(argv: list[str], env: dict | None = None) -> tuple[float, float]:
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, _children_cpu() - cpu


def ab(commands: dict[str, list[str]], env: dict | None = None, rounds: int = 5, warm: bool = True) -> dict[str, tuple[float, float]]:
    """{label: argv} → {label: (median wall s, median CPU s)}, the commands interleaved round by round."""
    if warm:
        for argv in commands.values():
            run_once(argv, env)
    samples: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
    for _ in range(rounds):
        for label, argv in commands.items():
            samples[label].append(run_once(argv, env))
    return {label: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s)) for label, s in samples.items()}


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def table(title: str, results: dict[str, tuple[float, float]], peer: str | None = None) -> None:
    print(f"{title}  [{load()}]")
    base = results[peer][0] if peer else None
    for label, (wall, cpu) in results.items():
        ratio = f"  {wall / base:4.2f}x {peer}" if base and label != peer else ""
        print(f"  {label:<60} {wall * 1000:7.0f} ms wall {cpu * 1000:6.0f} ms CPU{ratio}")
