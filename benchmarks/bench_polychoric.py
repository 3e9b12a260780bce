"""Benchmark moscale's polychoric matrix against psych and lavaan on the same data, in one run.

    python benchmarks/bench_polychoric.py [--repeats 5]

Times (best of ``repeats``, wall clock) the 25 x 25 polychoric matrix of psych's bfi (2,800 rows):
ours in lavaan's conventions (listwise and pairwise) and in psych's (pairwise), then lavaan's
``lavCor(ordered=)`` and psych's ``polychoric()`` through ``Rscript benchmarks/bench_polychoric.R``
(skipped, with a message, when Rscript, psych or lavaan is missing), and prints the ratios.
Targets: at least 5x faster than lavaan and 30x faster than psych (which spreads its pairs over
the cores with ``parallel::mclapply``).
"""

from __future__ import annotations

import sys

from _common import best_of, load_bfi, parser, print_ratio_table, print_speedup, r_timings

from moscale.analysis.polychoric import polychoric


def python_timings(repeats: int) -> dict[str, float]:
    bfi = load_bfi(items_only=True)
    return {
        "lavaan_listwise": best_of(lambda: polychoric(bfi), repeats),
        "lavaan_pairwise": best_of(lambda: polychoric(bfi, missing="pairwise"), repeats),
        "psych_pairwise": best_of(
            lambda: polychoric(bfi, mimic="psych", missing="pairwise"), repeats
        ),
    }


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__, repeats=5).parse_args(argv)
    py = python_timings(args.repeats)
    r = r_timings(__file__, args.repeats, needs="are psych and lavaan installed?")
    print(f"bfi, 25 items x 2,800 rows; best of {args.repeats}")
    print_ratio_table(py, r, "R", (30, 10, 10), first="task (conventions, missing)")
    if r is not None:
        lav, psy = "lavaan_listwise", "psych_pairwise"
        print_speedup("target >= 5x faster than lavaan lavCor", r[lav], py[lav], 5)
        print_speedup("target >= 30x faster than psych polychoric", r[psy], py[psy], 30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
