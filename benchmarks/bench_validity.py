"""HTMT with a 2,000-resample bootstrap on the five-factor bfi model, beside semTools.

Run from the repository root: ``python benchmarks/bench_validity.py`` (the R part needs Rscript with
semTools; it is skipped when Rscript is missing).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd

from moscale.analysis.validity import htmt

ROOT = Path(__file__).resolve().parents[1]
MODEL = """
A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
O =~ O1 + O2 + O3 + O4 + O5
"""
R_CODE = f"""
suppressPackageStartupMessages(library(semTools))
d <- read.csv("{ROOT / "tests/data/bfi.csv"}")
m <- "{MODEL.strip().replace(chr(10), "; ")}"
d <- d[complete.cases(d[, 1:25]), ]
t <- system.time(for (i in 1:20) htmt(m, d, htmt2 = FALSE))[["elapsed"]] / 20
cat(t * 2000, "\\n")  # semTools has no bootstrap: 2,000 single HTMTs
"""


def main() -> None:
    data = pd.read_csv(ROOT / "tests/data/bfi.csv").dropna(
        subset=[f"{t}{i}" for t in "ACENO" for i in range(1, 6)]
    )
    htmt(MODEL, data, bootstrap=50, seed=1)  # warm up
    t0 = time.perf_counter()
    htmt(MODEL, data, bootstrap=2000, seed=1)
    ours = time.perf_counter() - t0
    print(f"moscale HTMT + 2,000 bootstrap resamples (bfi, 5 factors): {ours:.2f} s")
    if shutil.which("Rscript"):
        out = subprocess.run(["Rscript", "-e", R_CODE], capture_output=True, text=True, check=True)
        theirs = float(out.stdout.split()[-1])
        print(f"semTools htmt x 2,000 (estimated from 20 calls): {theirs:.2f} s")
        print(f"ratio semTools / moscale: {theirs / ours:.1f}x")
    else:
        print("Rscript not found: semTools part skipped")


if __name__ == "__main__":
    main()
