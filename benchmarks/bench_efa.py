"""Benchmark moscale's EFA against psych on the same data, in one run.

    python benchmarks/bench_efa.py [--repeats 5] [--n-iter 20]

Times (best of ``repeats``, wall clock) our parallel_analysis, efa, omega, kmo/bartlett and
velicer_map on psych's bfi (2800 x 25) and Holzinger-Swineford (301 x 9), then psych's fa.parallel,
fa, omega, KMO/cortest.bartlett and vss through ``Rscript benchmarks/bench_efa.R`` (skipped, with a
message, when Rscript or psych is missing), and prints the ratios R / Python. The target is a
parallel analysis at least twice as fast as psych's (which runs its replications with
``parallel::mclapply`` on all cores).
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

from moscale.analysis.efa import efa
from moscale.analysis.factorability import bartlett, kmo
from moscale.analysis.nfactors import parallel_analysis, velicer_map
from moscale.analysis.omega import omega

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def python_timings(repeats: int, n_iter: int) -> dict[str, float]:
    bfi = pd.read_csv(ROOT / "tests" / "data" / "bfi.csv").iloc[:, :25]
    hs = pd.read_csv(ROOT / "tests" / "data" / "holzinger_swineford_1939.csv")
    hs = hs[[f"x{i}" for i in range(1, 10)]]
    return {
        "parallel_bfi": best_of(lambda: parallel_analysis(bfi, n_iter=n_iter, seed=1), repeats),
        "parallel_hs": best_of(lambda: parallel_analysis(hs, n_iter=n_iter, seed=1), repeats),
        "fa_bfi_minres_oblimin": best_of(lambda: efa(bfi, 5), repeats),
        "fa_bfi_ml_varimax": best_of(lambda: efa(bfi, 5, "ml", "varimax"), repeats),
        "fa_hs_minres_oblimin": best_of(lambda: efa(hs, 3), repeats),
        "omega_bfi": best_of(lambda: omega(bfi, 5), repeats),
        "kmo_bartlett_bfi": best_of(lambda: (kmo(bfi), bartlett(bfi)), repeats),
        "vss_map_bfi": best_of(lambda: velicer_map(bfi), repeats),
    }


def r_timings(repeats: int, n_iter: int) -> dict[str, float] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("Rscript not found: R timings skipped.")
        return None
    proc = subprocess.run(
        [rscript, str(ROOT / "benchmarks" / "bench_efa.R"), str(repeats), str(n_iter)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print("R timings skipped (is psych installed?):", proc.stderr.strip()[-300:])
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--n-iter", type=int, default=20)
    args = ap.parse_args(argv)
    py = python_timings(args.repeats, args.n_iter)
    r = r_timings(args.repeats, args.n_iter)
    print(f"best of {args.repeats}; parallel analysis with n_iter = {args.n_iter}")
    print(f"{'task':26s} {'moscale (s)':>12s} {'psych (s)':>10s} {'psych/moscale':>14s}")
    for key, t in py.items():
        if r is not None and key in r:
            print(f"{key:26s} {t:12.4f} {r[key]:10.4f} {r[key] / t:14.1f}")
        else:
            print(f"{key:26s} {t:12.4f} {'-':>10s} {'-':>14s}")
    print("(vss_map_bfi: psych's vss() also fits 1..8-factor models; ours computes MAP only)")
    if r is not None:
        ratio = r["parallel_bfi"] / py["parallel_bfi"]
        verdict = "met" if ratio >= 2 else "NOT met"
        print(f"target: parallel analysis on bfi >= 2x faster than psych: {ratio:.1f}x ({verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
