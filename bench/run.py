"""Run listen's benchmarks and print one table: ``python bench/run.py [--only NAME] [--quick]``.

Every figure is measured in the same run as its reference (the raw engine and
encoder, or listen's own cold render), in child processes, in a temporary
directory that is removed at the end. listen's segment cache is pointed there
too, so the user's cache is never read or written and cold runs are cold.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cases import BENCHMARKS, Context
from bench.measure import BenchError, Interference, Result, table

REPS = 3  # runs per figure, median reported; the batch and the hour run once


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run listen's benchmarks and print one table.")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--quick", action="store_true", help="one run each instead of a median of 3"
    )
    return parser.parse_args(argv)


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return f"{stamp}, nproc {cores}, Python {sys.version.split()[0]}, {sys.platform}"


def load() -> str:
    """The 1-minute load average: other work on the machine skews every figure."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "?"


def breakdown(title: str, stages: dict[str, float]) -> str:
    total = sum(stages.values())
    lines = [f"Where the time goes: {title} ({total:.2f} s)"]
    for name, value in sorted(stages.items(), key=lambda item: -item[1]):
        lines.append(f"  {name:<26} {value:7.3f} s  {100 * value / total:5.1f} %")
    return "\n".join(lines)


def run_all(names: list[str], ctx: Context) -> tuple[list[Result], list[str]]:
    """Every named benchmark's rows, and for each, how much other work shared the machine."""
    results: list[Result] = []
    others: list[str] = []
    for name in names:
        start = time.perf_counter()
        watch = Interference()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            results.extend(BENCHMARKS[name](ctx))
        except BenchError as exc:
            results.append(Result(name, f"failed: {exc}", "-", "-"))
        foreign = watch.foreign()
        if foreign is not None:
            others.append(f"{name} {foreign[0]:.1f} s ({100 * foreign[1]:.0f} %)")
        print(f"  {name} took {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return results, others


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.only or list(BENCHMARKS)
    started = time.perf_counter()
    load_before = load()
    with tempfile.TemporaryDirectory(prefix="listen-bench-") as tmp:
        os.environ["LISTEN_CACHE_DIR"] = str(Path(tmp) / "cache")  # never the user's cache
        ctx = Context(workdir=Path(tmp), reps=1 if args.quick else REPS)
        results, others = run_all(names, ctx)
    reps = "1 run each" if args.quick else f"median of {REPS} (batch and hour: 1 run)"
    elapsed = time.perf_counter() - started
    print(f"listen benchmarks: {machine()}; {reps}; {elapsed:.0f} s in all")
    print(f"load average (1 min) before {load_before}, after {load()}")
    if others:
        print("CPU used by other processes meanwhile (share of all cores): " + ", ".join(others))
    print()
    print(table(results))
    if ctx.notes:
        print()
        print("\n".join(f"- {note}" for note in ctx.notes))
    for title, stages in ctx.breakdowns.items():
        print()
        print(breakdown(title, stages))
    return 1 if any(r.ours.startswith("failed") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
