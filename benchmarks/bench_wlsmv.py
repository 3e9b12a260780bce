"""Benchmark: five-factor WLSMV CFA on all 25 ordered ``bfi`` items, moscale vs lavaan 0.6.14.

Both sides do the whole job on the same complete cases (2,436 rows): thresholds, polychoric
correlations and their asymptotic covariance matrix, the DWLS fit, robust standard errors, the
scaled-and-shifted test, the baseline model and the fit measures (lavaan: ``cfa()`` followed by
``fitMeasures()``; moscale: ``cfa_ordinal()``, which computes all fit measures). lavaan is timed
inside R (after the packages are loaded) through an ``Rscript`` subprocess in the same run; the R
part is skipped when ``Rscript`` is not installed.

Usage::

    python benchmarks/bench_wlsmv.py [--repeat 5] [--no-check]

Exits with status 1 if moscale is not at least 2x faster than lavaan (unless ``--no-check``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from moscale.analysis.cfa.wls import cfa_ordinal

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "bfi.csv"
MODEL = "\n".join(
    f"{f} =~ " + " + ".join(f"{f}{i}" for i in range(1, 6)) for f in ("A", "C", "E", "N", "O")
)
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
    res = cfa_ordinal(MODEL, data)  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = cfa_ordinal(MODEL, data)
        times.append(time.perf_counter() - t0)
    return times, {k: res.fit[k] for k in KEYS} | {"nobs": res.ntotal}


def time_lavaan(repeat: int) -> tuple[list[float], dict] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    keys = ", ".join(f'"{k}"' for k in KEYS)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT % keys)
        model = Path(tmp) / "model.lav"
        model.write_text(MODEL + "\n")
        out = subprocess.run(
            [rscript, str(script), str(DATA), str(model), str(repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    return list(res["times"]), dict(res["fit"]) | {"nobs": res["nobs"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-check", action="store_true", help="do not fail when slower than 2x")
    args = ap.parse_args(argv)
    data = pd.read_csv(DATA)
    ours, ours_fit = time_moscale(data, args.repeat)
    t_ours = statistics.median(ours)
    print(f"moscale cfa_ordinal  median {t_ours:.3f} s  ({', '.join(f'{t:.3f}' for t in ours)})")
    lav = time_lavaan(args.repeat)
    if lav is None:
        print("Rscript not found: lavaan not timed.")
        return 0
    lav_times, lav_fit = lav
    t_lav = statistics.median(lav_times)
    print(
        f"lavaan cfa+fitMeasures median {t_lav:.3f} s  ({', '.join(f'{t:.3f}' for t in lav_times)})"
    )
    ratio = t_lav / t_ours
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
