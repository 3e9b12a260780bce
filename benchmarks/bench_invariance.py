"""Benchmark: the four-step invariance ladder (configural, metric, scalar, strict) of the five-factor
bfi model across gender, ML, moscale vs lavaan 0.6.14.

Both sides do the same job on the same complete cases (2,436 rows): four joint two-group fits with
lavaan's group.equal (loadings; + intercepts; + residuals), all fit measures of each (lavaan:
``fitMeasures()``, which includes the baseline model) and the chi-square difference test of each
step against the one before (lavaan: ``lavTestLRT()``). moscale runs
``invariance(..., stop_on_failure=False, structural=False)``, which also judges every step by
Chen's (2007) rule and, for the steps that fail, computes the score tests of their constraints --
work lavaan does not do here. lavaan is timed inside R (after the packages are loaded) through an
``Rscript`` subprocess in the same run; the R part is skipped, with a message, when ``Rscript`` or lavaan is missing.
The figures of both sides are compared (chi-square and CFI of every step, the difference tests).

Usage::

    python benchmarks/bench_invariance.py [--repeat 5] [--no-check]

Exits with status 1 if moscale is not at least 2x faster than lavaan (unless ``--no-check``) or if
the figures differ by more than 1e-3.
"""

from __future__ import annotations

import sys

import pandas as pd
from _common import FIVE_FACTORS, lavaan_on_bfi, parser, timed_runs, versus_lavaan

from moscale.analysis.invariance import invariance

MODEL = FIVE_FACTORS
STEPS = ("configural", "metric", "scalar", "strict")

R_SCRIPT = r"""
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
model <- readLines(args[2])
reps <- as.integer(args[3])
ladder <- function() {
  ge <- list("", "loadings", c("loadings", "intercepts"), c("loadings", "intercepts", "residuals"))
  fits <- lapply(ge, function(g) cfa(model, data = d, group = "gender", group.equal = g))
  fm <- lapply(fits, fitMeasures)
  lrt <- lapply(2:4, function(k) lavTestLRT(fits[[k - 1]], fits[[k]]))
  list(fm = fm, lrt = lrt)
}
out <- ladder()  # warm-up
times <- numeric(reps)
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]
  out <- ladder()
  times[r] <- proc.time()[["elapsed"]] - t0
}
cat(toJSON(list(
  times = times,
  chisq = sapply(out$fm, function(x) x[["chisq"]]),
  cfi = sapply(out$fm, function(x) x[["cfi"]]),
  diff = sapply(out$lrt, function(x) x[2, "Chisq diff"])
), auto_unbox = TRUE, digits = NA))
"""


def time_moscale(data: pd.DataFrame, repeat: int) -> tuple[list[float], dict]:
    """Seconds of each run of the moscale ladder, and its figures to compare with lavaan's."""
    times, res = timed_runs(
        lambda: invariance(MODEL, data, "gender", stop_on_failure=False, structural=False), repeat
    )
    steps = res.steps.set_index("step")
    figures = {
        "chisq": [float(steps.loc[s, "chisq"]) for s in STEPS],
        "cfi": [float(steps.loc[s, "cfi"]) for s in STEPS],
        "diff": [float(steps.loc[s, "diff.stat"]) for s in STEPS[1:]],
    }
    return times, figures


def time_lavaan(repeat: int) -> tuple[list[float], dict] | None:
    """Seconds of each run of the lavaan ladder and its figures; None when R was skipped."""
    res = lavaan_on_bfi(R_SCRIPT, MODEL, repeat)
    if res is None:
        return None
    return list(res["times"]), {k: list(res[k]) for k in ("chisq", "cfi", "diff")}


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__, repeats=5, flag="--repeat", no_check=True).parse_args(argv)
    labels = ("moscale invariance  ", "lavaan 4 x cfa + fitMeasures + lavTestLRT ")
    race = versus_lavaan(time_moscale, time_lavaan, args.repeat, labels)
    if race is None:
        return 0
    ratio, ours_fig, lav_fig = race
    print(f"speed-up: {ratio:.1f}x (target >= 2x)")
    worst = max(
        abs(a - b)
        for k in ("chisq", "cfi", "diff")
        for a, b in zip(ours_fig[k], lav_fig[k], strict=True)
    )
    print(f"largest difference from lavaan (chi-square, CFI, difference tests): {worst:.2e}")
    ok = worst < 1e-3 and (args.no_check or ratio >= 2.0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
