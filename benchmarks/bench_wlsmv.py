"""Benchmark: five-factor WLSMV CFA on all 25 ordered ``bfi`` items, moscale vs lavaan 0.6.14.

Both sides do the whole job on the same complete cases (2,436 rows): thresholds, polychoric
correlations and their asymptotic covariance matrix, the DWLS fit, robust standard errors, the
scaled-and-shifted test, the baseline model and the fit measures (lavaan: ``cfa()`` followed by
``fitMeasures()``; moscale: ``cfa_ordinal()``, which computes all fit measures). lavaan is timed
inside R (after the packages are loaded) through an ``Rscript`` subprocess in the same run; the R
part is skipped, with a message, when ``Rscript`` or lavaan is missing.

Usage::

    python benchmarks/bench_wlsmv.py [--repeat 5] [--no-check]

Exits with status 1 if moscale is not at least 2x faster than lavaan (unless ``--no-check``).
"""

from __future__ import annotations

import sys

import pandas as pd
from _common import FIVE_FACTORS, lavaan_on_bfi, parser, timed_runs, versus_lavaan

from moscale.analysis.cfa.wls import cfa_ordinal

MODEL = FIVE_FACTORS
KEYS = (
    "chisq",
    "df",
    "chisq.scaled",
    "cfi.scaled",
    "tli.scaled",
    "rmsea.scaled",
    "cfi.robust",
    "rmsea.robust",
    "srmr",
)

R_SCRIPT = r"""
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); items <- names(d)[1:25]
d <- d[complete.cases(d[, items]), items]
model <- readLines(args[2])
reps <- as.integer(args[3])
fit <- cfa(model, data = d, ordered = TRUE, estimator = "WLSMV")  # warm-up
fm <- fitMeasures(fit)
times <- numeric(reps)
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]
  fit <- cfa(model, data = d, ordered = TRUE, estimator = "WLSMV")
  fm <- fitMeasures(fit)
  times[r] <- proc.time()[["elapsed"]] - t0
}
cat(toJSON(list(times = times, fit = as.list(fm[c(%s)]), nobs = lavInspect(fit, "nobs")),
           auto_unbox = TRUE, digits = NA))
"""


def time_moscale(data: pd.DataFrame, repeat: int) -> tuple[list[float], dict]:
    """Seconds of each moscale WLSMV fit, and its fit measures to compare with lavaan's."""
    times, res = timed_runs(lambda: cfa_ordinal(MODEL, data), repeat)
    return times, {k: res.fit[k] for k in KEYS} | {"nobs": res.ntotal}


def time_lavaan(repeat: int) -> tuple[list[float], dict] | None:
    """Seconds of each lavaan WLSMV fit and its fit measures; None when R was skipped."""
    keys = ", ".join(f'"{k}"' for k in KEYS)
    res = lavaan_on_bfi(R_SCRIPT % keys, MODEL, repeat)
    if res is None:
        return None
    return list(res["times"]), dict(res["fit"]) | {"nobs": res["nobs"]}


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__, repeats=5, flag="--repeat", no_check=True).parse_args(argv)
    labels = ("moscale cfa_ordinal ", "lavaan cfa+fitMeasures")
    race = versus_lavaan(time_moscale, time_lavaan, args.repeat, labels)
    if race is None:
        return 0
    ratio, ours_fit, lav_fit = race
    print(f"speed-up: {ratio:.1f}x")
    print(f"{'measure':<14}{'moscale':>14}{'lavaan':>14}")
    worst = 0.0
    for k in (*KEYS, "nobs"):
        a, b = float(ours_fit[k]), float(lav_fit[k])
        worst = max(worst, abs(a - b) / max(1.0, abs(b))) if k != "nobs" else worst
        print(f"{k:<14}{a:>14.6f}{b:>14.6f}")
    print(f"largest relative difference: {worst:.2e}")
    if not args.no_check and ratio < 2.0:
        print("FAIL: moscale is not at least 2x faster than lavaan")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
