"""Benchmark moscale's CFA against lavaan (and semopy, when available) on psych's bfi, in one run.

    python benchmarks/bench_cfa.py [--repeats 5] [--semopy PATH_TO_PYTHON_WITH_SEMOPY]

Five-factor model, 25 items: ML and MLR on the 2436 complete cases, FIML (missing = "ml") on all
2800 cases. Each task is the fit alone and the fit followed by all fit measures (lavaan estimates
its baseline model inside ``cfa()``; moscale on first access to ``fit_measures()``). Times are the
best of ``repeats`` wall-clock runs after a warm-up; lavaan's are measured inside R by
``benchmarks/bench_cfa.R`` (skipped, with a message, when Rscript is missing). semopy is timed only
when ``--semopy`` names a Python that can import it (install it in a throwaway virtualenv; it is not
a dependency): ``Model.fit`` (ML, "MLW") plus ``calc_stats``.

Targets: ML at least 2x faster than lavaan, MLR at least 3x, FIML no slower.
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

from moscale.analysis.cfa import cfa

ROOT = Path(__file__).resolve().parents[1]
MODEL = """A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
O =~ O1 + O2 + O3 + O4 + O5"""

SEMOPY_SCRIPT = r"""
import json, sys, time
import pandas as pd
import semopy
d = pd.read_csv(sys.argv[1]).iloc[:, :25].dropna()
desc = sys.argv[2]
reps = int(sys.argv[3])
def run():
    m = semopy.Model(desc)
    m.fit(d)
    semopy.calc_stats(m)
run()
best = min((lambda t0: (run(), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(reps))
print(json.dumps({"ml_fit_measures": best, "version": semopy.__version__}))
"""


def best_of(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def python_timings(repeats: int) -> dict[str, float]:
    bfi = pd.read_csv(ROOT / "tests" / "data" / "bfi.csv")
    fiml_reps = max(1, min(repeats, 3))
    return {
        "ml_fit": best_of(lambda: cfa(MODEL, bfi), repeats),
        "ml_fit_measures": best_of(lambda: cfa(MODEL, bfi).fit_measures(), repeats),
        "mlr_fit": best_of(lambda: cfa(MODEL, bfi, estimator="MLR"), repeats),
        "mlr_fit_measures": best_of(
            lambda: cfa(MODEL, bfi, estimator="MLR").fit_measures(), repeats
        ),
        "fiml_fit": best_of(lambda: cfa(MODEL, bfi, missing="fiml"), fiml_reps),
        "fiml_fit_measures": best_of(
            lambda: cfa(MODEL, bfi, missing="fiml").fit_measures(), fiml_reps
        ),
        "fiml_mlr_fit_measures": best_of(
            lambda: cfa(MODEL, bfi, missing="fiml", estimator="MLR").fit_measures(), fiml_reps
        ),
    }


def r_timings(repeats: int) -> dict[str, float] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("Rscript not found: lavaan timings skipped.")
        return None
    proc = subprocess.run(
        [rscript, str(ROOT / "benchmarks" / "bench_cfa.R"), str(repeats)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print("lavaan timings skipped (is lavaan installed?):", proc.stderr.strip()[-300:])
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def semopy_timings(python: str | None, repeats: int) -> dict | None:
    if not python:
        return None
    desc = MODEL
    proc = subprocess.run(
        [python, "-c", SEMOPY_SCRIPT, str(ROOT / "tests" / "data" / "bfi.csv"), desc, str(repeats)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        print("semopy timings skipped:", proc.stderr.strip()[-300:])
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--semopy", default=None, help="a Python interpreter that can import semopy")
    args = ap.parse_args(argv)
    py = python_timings(args.repeats)
    r = r_timings(args.repeats)
    sem = semopy_timings(args.semopy, args.repeats)
    print(f"bfi five-factor CFA; best of {args.repeats} (FIML: fewer runs)")
    print(f"{'task':24s} {'moscale (s)':>12s} {'lavaan (s)':>11s} {'lavaan/moscale':>15s}")
    for key, t in py.items():
        if r is not None and key in r:
            print(f"{key:24s} {t:12.4f} {r[key]:11.4f} {r[key] / t:15.1f}")
        else:
            print(f"{key:24s} {t:12.4f} {'-':>11s} {'-':>15s}")
    if sem is not None:
        t = sem["ml_fit_measures"]
        print(
            f"semopy {sem['version']} ML fit + calc_stats: {t:.4f} s "
            f"(semopy/moscale {t / py['ml_fit_measures']:.1f}x)"
        )
    if r is not None:
        targets = [
            ("ml_fit_measures", 2, "ML"),
            ("mlr_fit_measures", 3, "MLR"),
            ("fiml_fit_measures", 1, "FIML"),
        ]
        for key, need, label in targets:
            ratio = r[key] / py[key]
            verdict = "met" if ratio >= need else "NOT met"
            print(f"target: {label} >= {need}x faster than lavaan: {ratio:.1f}x ({verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
