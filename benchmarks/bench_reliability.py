"""Benchmark moscale's reliability() against psych alpha() on the same data, in one run.

    python benchmarks/bench_reliability.py [--repeats 3] [--n-boot 2000]

Simulates 5,000 respondents answering a 10-item, 6-point scale (one factor, loadings .5-.8), then
times (best of ``repeats``, wall clock): alpha with Feldt and 2,000-resample percentile and BCa
bootstrap intervals (``omega=False, ordinal=False``), and the full call (adds one-factor omega,
omega if deleted, the polychoric matrix with ordinal alpha and omega); then psych's ``alpha()``
without and with ``n.iter = 2000`` and ``omega(nfactors = 1)`` through
``Rscript benchmarks/bench_reliability.R`` (skipped, with a message, when R or psych is missing).
Target: alpha with the bootstrap interval under 1 s.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _common import best_of, parser, print_ratio_table, r_timings, verdict

from moscale.analysis.reliability import reliability


def simulate(n: int = 5000, k: int = 10, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lam = np.linspace(0.5, 0.8, k)
    y = rng.normal(size=(n, 1)) * lam + rng.normal(size=(n, k)) * np.sqrt(1 - lam**2)
    x = np.clip(np.round(3.5 + 1.2 * y), 1, 6)
    return pd.DataFrame(x.astype(int), columns=[f"item{j + 1}" for j in range(k)])


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__, repeats=3)
    ap.add_argument("--n-boot", type=int, default=2000)
    args = ap.parse_args(argv)
    x = simulate()
    py = {
        "alpha_point": best_of(
            lambda: reliability(x, n_boot=0, omega=False, ordinal=False), args.repeats
        ),
        "alpha_boot": best_of(
            lambda: reliability(x, n_boot=args.n_boot, omega=False, ordinal=False), args.repeats
        ),
        "full": best_of(lambda: reliability(x, n_boot=args.n_boot), args.repeats),
    }
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "sim.csv"
        x.to_csv(csv, index=False)
        r = r_timings(__file__, csv, args.repeats, args.n_boot, needs="is psych installed?")
    print(f"5,000 x 10 items; {args.n_boot} bootstrap resamples; best of {args.repeats}")
    labels = {
        "alpha_point": "alpha, Feldt CI (no bootstrap)",
        "alpha_boot": "alpha + bootstrap CIs",
        "full": "full (omega, ordinal, bootstrap)",
    }
    print_ratio_table(py, r, "psych", (34, 10, 14), labels=labels)
    if r is not None:
        print(f"psych omega(nfactors = 1) alone: {r['omega_1f']:.4f} s")
    t = py["alpha_boot"]
    print(
        f"target: alpha with {args.n_boot}-resample bootstrap CI < 1 s: {t:.3f} s ({verdict(t < 1)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
