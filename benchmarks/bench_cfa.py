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

import sys

from _common import (
    BFI,
    FIVE_FACTORS,
    best_of,
    last_json,
    load_bfi,
    parser,
    print_ratio_table,
    print_speedup,
    r_timings,
    run_quietly,
)

from moscale.analysis.cfa import cfa

MODEL = FIVE_FACTORS
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


def python_timings(repeats: int) -> dict[str, float]:
    bfi = load_bfi()
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


def semopy_timings(python: str | None, repeats: int) -> dict | None:
    if not python:
        return None
    out = run_quietly(
        [python, "-c", SEMOPY_SCRIPT, str(BFI), MODEL, str(repeats)], "semopy timings skipped:"
    )
    return last_json(out)


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__, repeats=5)
    ap.add_argument("--semopy", default=None, help="a Python interpreter that can import semopy")
    args = ap.parse_args(argv)
    py = python_timings(args.repeats)
    r = r_timings(__file__, args.repeats, needs="is lavaan installed?", what="lavaan timings")
    sem = semopy_timings(args.semopy, args.repeats)
    print(f"bfi five-factor CFA; best of {args.repeats} (FIML: fewer runs)")
    print_ratio_table(py, r, "lavaan", (24, 11, 15))
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
            print_speedup(f"target: {label} >= {need}x faster than lavaan", r[key], py[key], need)
    return 0


if __name__ == "__main__":
    sys.exit(main())
