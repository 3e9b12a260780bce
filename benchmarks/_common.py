"""What the benchmark scripts share: the bfi data, timing, running R, printing the comparison.

The scripts are run as files (``python benchmarks/bench_X.py``), so Python puts this folder first
on ``sys.path`` and they import this module as ``_common``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")
U = TypeVar("U")

ROOT = Path(__file__).resolve().parents[1]
BFI = ROOT / "tests" / "data" / "bfi.csv"
# psych's bfi: the Big Five, five items each, are the first 25 columns of the file
BFI_ITEMS = [f"{f}{i}" for f in "ACENO" for i in range(1, 6)]
# the five-factor model of those items, in lavaan syntax, one factor a line
FIVE_FACTORS = "\n".join(f"{f} =~ " + " + ".join(f"{f}{i}" for i in range(1, 6)) for f in "ACENO")


def load_bfi(items_only: bool = False) -> pd.DataFrame:
    """Read ``tests/data/bfi.csv`` (2,800 rows).

    Parameters
    ----------
    items_only : bool
        Keep only the 25 items (the first 25 columns), without gender, education and age.

    Returns
    -------
    pandas.DataFrame
        The data, missing values included.
    """
    bfi = pd.read_csv(BFI)
    return bfi.iloc[:, :25] if items_only else bfi


def parser(
    doc: str, repeats: int, flag: str = "--repeats", no_check: bool = False
) -> argparse.ArgumentParser:
    """The command line every benchmark starts from.

    Parameters
    ----------
    doc : str
        The script's docstring; its first line describes the command.
    repeats : int
        Default number of timed runs.
    flag : str
        Name of the option that sets it.
    no_check : bool
        Add ``--no-check`` (do not fail when the speed-up target is missed).

    Returns
    -------
    argparse.ArgumentParser
        The parser, for the script to add its own options to.
    """
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument(flag, type=int, default=repeats)
    if no_check:
        ap.add_argument("--no-check", action="store_true", help="do not fail when slower than 2x")
    return ap


def timed_runs(fn: Callable[[], T], repeats: int) -> tuple[list[float], T]:
    """Call ``fn`` once to warm up, then time ``repeats`` calls by wall clock.

    Parameters
    ----------
    fn : callable
        The work to time, without arguments.
    repeats : int
        Number of timed calls.

    Returns
    -------
    times : list of float
        Seconds of each timed call.
    result
        What the last call returned (the warm-up's if ``repeats`` is 0).
    """
    result = fn()  # warm-up: imports, caches, first-call costs stay out of the figures
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Fastest of ``repeats`` wall-clock runs of ``fn`` after a warm-up, in seconds.

    Parameters
    ----------
    fn : callable
        The work to time, without arguments.
    repeats : int
        Number of timed calls (at least 1).

    Returns
    -------
    float
        The shortest time: the R scripts report the same statistic.
    """
    return min(timed_runs(fn, repeats)[0])


def print_runs(label: str, times: Sequence[float]) -> float:
    """Print ``<label> median <s> s  (<every run>)`` and return the median.

    Parameters
    ----------
    label : str
        What was timed (padded by the caller to line up with the next line).
    times : sequence of float
        Seconds of each run.

    Returns
    -------
    float
        The median time.
    """
    median = statistics.median(times)
    print(f"{label} median {median:.3f} s  ({', '.join(f'{t:.3f}' for t in times)})")
    return median


def run_quietly(cmd: Sequence[str], failed: str) -> str | None:
    """Run a command from the repository root and return its standard output.

    Parameters
    ----------
    cmd : sequence of str
        The program and its arguments.
    failed : str
        Printed, followed by the end of the command's error output, when it fails.

    Returns
    -------
    str or None
        The standard output, or None when the command failed.
    """
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(failed, proc.stderr.strip()[-300:])
        return None
    return proc.stdout


def rscript(script: Path | str, *args: object, not_found: str, failed: str) -> str | None:
    """Run R from the repository root; the R side is skipped, with a message, when R cannot run it.

    Parameters
    ----------
    script : pathlib.Path or str
        An ``.R`` file, or R code itself (run with ``Rscript -e``).
    *args
        What the script reads with ``commandArgs(trailingOnly = TRUE)``.
    not_found : str
        Printed when ``Rscript`` is not installed.
    failed : str
        Printed, followed by the end of R's error output, when the script fails (most often an R
        package is missing).

    Returns
    -------
    str or None
        R's standard output, or None when the R side was skipped.
    """
    exe = shutil.which("Rscript")
    if exe is None:
        print(not_found)
        return None
    code = [str(script)] if isinstance(script, Path) else ["-e", script]
    return run_quietly([exe, *code, *map(str, args)], failed)


def last_json(output: str | None) -> dict[str, Any] | None:
    """The JSON object on the last line of a program's output (None stays None).

    Parameters
    ----------
    output : str or None
        Standard output of ``rscript`` or ``run_quietly``.

    Returns
    -------
    dict or None
        The parsed object; earlier lines (package messages) are ignored.
    """
    return None if output is None else json.loads(output.strip().splitlines()[-1])


def r_timings(script: str, *args: object, needs: str, what: str = "R timings") -> dict | None:
    """Timings from the ``.R`` file beside a benchmark script (one JSON object on its last line).

    Parameters
    ----------
    script : str
        The benchmark script's ``__file__``; ``bench_X.py`` runs ``bench_X.R``.
    *args
        Arguments of the R script.
    needs : str
        The R packages it needs, as the skip message asks for them (``is psych installed?``).
    what : str
        What is skipped, in the messages.

    Returns
    -------
    dict or None
        Seconds by task (and whatever else the R script reports), or None when R was skipped.
    """
    out = rscript(
        Path(script).resolve().with_suffix(".R"),
        *args,
        not_found=f"Rscript not found: {what} skipped.",
        failed=f"{what} skipped ({needs}):",
    )
    return last_json(out)


def lavaan_on_bfi(code: str, model: str, repeats: int) -> dict | None:
    """Run R code that fits ``model`` to bfi with lavaan ``repeats`` times (after a warm-up).

    Parameters
    ----------
    code : str
        R code reading its arguments: the bfi CSV, a file holding the model, ``repeats``; it prints
        one JSON object (its times and figures) on its last line.
    model : str
        lavaan model syntax, passed in a temporary file.
    repeats : int
        Number of timed runs.

    Returns
    -------
    dict or None
        The JSON object, or None when R was skipped.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.lav"
        path.write_text(model + "\n")
        out = rscript(
            code,
            BFI,
            path,
            repeats,
            not_found="Rscript not found: lavaan not timed.",
            failed="lavaan not timed (is lavaan installed?):",
        )
    return last_json(out)


def versus_lavaan(
    ours: Callable[[pd.DataFrame, int], tuple[list[float], T]],
    lavaan: Callable[[int], tuple[list[float], U] | None],
    repeats: int,
    labels: tuple[str, str],
) -> tuple[float, T, U] | None:
    """Time moscale on bfi, then lavaan, printing the runs of each as they finish.

    Parameters
    ----------
    ours : callable
        Times moscale on the bfi data ``repeats`` times: the seconds of each run and the figures
        to compare.
    lavaan : callable
        The same for lavaan, or None when R was skipped.
    repeats : int
        Number of timed runs of each.
    labels : tuple of str
        Labels of the two timing lines (see ``print_runs``).

    Returns
    -------
    tuple or None
        The speed-up (lavaan's median over moscale's) and the figures of both sides; None when
        lavaan was not timed.
    """
    times, ours_figures = ours(load_bfi(), repeats)
    t_ours = print_runs(labels[0], times)
    timed = lavaan(repeats)
    if timed is None:
        return None
    lavaan_times, lavaan_figures = timed
    return print_runs(labels[1], lavaan_times) / t_ours, ours_figures, lavaan_figures


def print_ratio_table(
    py: Mapping[str, float],
    other: Mapping[str, float] | None,
    name: str,
    widths: tuple[int, int, int],
    first: str = "task",
    labels: Mapping[str, str] | None = None,
) -> None:
    """Print one row a task: moscale's seconds, the other program's and their ratio.

    Parameters
    ----------
    py : mapping of str to float
        moscale's seconds by task.
    other : mapping of str to float or None
        The other program's seconds by task (None when it did not run); a task it lacks shows ``-``.
    name : str
        The other program, in the column headers (``<name> (s)``, ``<name>/moscale``).
    widths : tuple of int
        Widths of the task, other-seconds and ratio columns.
    first : str
        Header of the task column.
    labels : mapping of str to str, optional
        Row labels by task, instead of the task keys.
    """
    wt, wr, wq = widths
    print(f"{first:{wt}s} {'moscale (s)':>12s} {name + ' (s)':>{wr}s} {name + '/moscale':>{wq}s}")
    for key, t in py.items():
        label = labels[key] if labels else key
        if other is not None and key in other:
            print(f"{label:{wt}s} {t:12.4f} {other[key]:{wr}.4f} {other[key] / t:{wq}.1f}")
        else:
            print(f"{label:{wt}s} {t:12.4f} {'-':>{wr}s} {'-':>{wq}s}")


def verdict(met: bool) -> str:
    """``met`` or ``NOT met``, as the target lines say it.

    Parameters
    ----------
    met : bool
        Whether the target is met.

    Returns
    -------
    str
        The word for the target line.
    """
    return "met" if met else "NOT met"


def print_speedup(claim: str, theirs: float, ours: float, need: float) -> None:
    """Print ``<claim>: <theirs/ours>x (met|NOT met)``.

    Parameters
    ----------
    claim : str
        The target, as printed.
    theirs, ours : float
        Seconds of the other program and of moscale.
    need : float
        The speed-up the target asks for.
    """
    ratio = theirs / ours
    print(f"{claim}: {ratio:.1f}x ({verdict(ratio >= need)})")
