"""HTMT with a 2,000-resample bootstrap on the five-factor bfi model, beside semTools.

Run from the repository root: ``python benchmarks/bench_validity.py`` (the R part needs Rscript with
semTools; it is skipped, with a message, when either is missing).
"""

from __future__ import annotations

import time

from _common import BFI, BFI_ITEMS, FIVE_FACTORS, load_bfi, rscript

from moscale.analysis.validity import htmt

MODEL = FIVE_FACTORS
R_CODE = f"""
suppressPackageStartupMessages(library(semTools))
d <- read.csv("{BFI}")
m <- "{MODEL.replace(chr(10), "; ")}"
d <- d[complete.cases(d[, 1:25]), ]
t <- system.time(for (i in 1:20) htmt(m, d, htmt2 = FALSE))[["elapsed"]] / 20
cat(t * 2000, "\\n")  # semTools has no bootstrap: 2,000 single HTMTs
"""


def main() -> None:
    data = load_bfi().dropna(subset=BFI_ITEMS)
    htmt(MODEL, data, bootstrap=50, seed=1)  # warm up
    t0 = time.perf_counter()
    htmt(MODEL, data, bootstrap=2000, seed=1)
    ours = time.perf_counter() - t0
    print(f"moscale HTMT + 2,000 bootstrap resamples (bfi, 5 factors): {ours:.2f} s")
    out = rscript(
        R_CODE,
        not_found="Rscript not found: semTools part skipped",
        failed="semTools part skipped (is semTools installed?):",
    )
    if out is not None:
        theirs = float(out.split()[-1])
        print(f"semTools htmt x 2,000 (estimated from 20 calls): {theirs:.2f} s")
        print(f"ratio semTools / moscale: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
