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

import sys

import pandas as pd
from _common import ROOT, best_of, load_bfi, parser, print_ratio_table, print_speedup, r_timings

from moscale.analysis.efa import efa
from moscale.analysis.factorability import bartlett, kmo
from moscale.analysis.nfactors import parallel_analysis, velicer_map
from moscale.analysis.omega import omega


def python_timings(repeats: int, n_iter: int) -> dict[str, float]:
    bfi = load_bfi(items_only=True)
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


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__, repeats=5)
    ap.add_argument("--n-iter", type=int, default=20)
    args = ap.parse_args(argv)
    py = python_timings(args.repeats, args.n_iter)
    r = r_timings(__file__, args.repeats, args.n_iter, needs="is psych installed?")
    print(f"best of {args.repeats}; parallel analysis with n_iter = {args.n_iter}")
    print_ratio_table(py, r, "psych", (26, 10, 14))
    print("(vss_map_bfi: psych's vss() also fits 1..8-factor models; ours computes MAP only)")
    if r is not None:
        claim = "target: parallel analysis on bfi >= 2x faster than psych"
        print_speedup(claim, r["parallel_bfi"], py["parallel_bfi"], 2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
