"""Benchmark moscale's polychoric matrix against psych and lavaan on the same data, in one run.

    python benchmarks/bench_polychoric.py [--repeats 5]

Times (best of ``repeats``, wall clock) the 25 x 25 polychoric matrix of psych's bfi (2,800 rows):
ours in lavaan's conventions (listwise and pairwise) and in psych's (pairwise), then lavaan's
``lavCor(ordered=)`` and psych's ``polychoric()`` through ``Rscript benchmarks/bench_polychoric.R``
(skipped, with a message, when Rscript, psych or lavaan is missing), and prints the ratios.
Targets: at least 5x faster than lavaan and 30x faster than psych (which spreads its pairs over
the cores with ``parallel::mclapply``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from moscale.analysis.polychoric import polychoric

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def python_timings(repeats: int) -> dict[str, float]:
    bfi = pd.read_csv(ROOT / "tests" / "data" / "bfi.csv").iloc[:, :25]
    return {
        "lavaan_listwise": best_of(lambda: polychoric(bfi), repeats),
        "lavaan_pairwise": best_of(lambda: polychoric(bfi, missing="pairwise"), repeats),
        "psych_pairwise": best_of(
            lambda: polychoric(bfi, mimic="psych", missing="pairwise"), repeats
        ),
    }


def r_timings(repeats: int) -> dict[str, float] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("Rscript not found: R timings skipped.")
        return None
    proc = subprocess.run(
        [rscript, str(ROOT / "benchmarks" / "bench_polychoric.R"), str(repeats)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print("R timings skipped (are psych and lavaan installed?):", proc.stderr.strip()[-300:])
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    py = python_timings(args.repeats)
    r = r_timings(args.repeats)
    print(f"bfi, 25 items x 2,800 rows; best of {args.repeats}")
    print(
        f"{'task (conventions, missing)':30s} {'moscale (s)':>12s} {'R (s)':>10s} {'R/moscale':>10s}"
    )
    for key, t in py.items():
        if r is not None and key in r:
            print(f"{key:30s} {t:12.4f} {r[key]:10.4f} {r[key] / t:10.1f}")
        else:
            print(f"{key:30s} {t:12.4f} {'-':>10s} {'-':>10s}")
    if r is not None:
        lav = r["lavaan_listwise"] / py["lavaan_listwise"]
        psy = r["psych_pairwise"] / py["psych_pairwise"]
        print(
            f"target >= 5x faster than lavaan lavCor: {lav:.1f}x ({'met' if lav >= 5 else 'NOT met'})"
        )
        print(
            f"target >= 30x faster than psych polychoric: {psy:.1f}x ({'met' if psy >= 30 else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
