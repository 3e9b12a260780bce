"""End-to-end timings of ``moscale analyze``: the demo, bfi (ordinal, 2,000 resamples), 1,000,000 rows.

    python benchmarks/bench_analyze.py [--only demo,bfi,large] [--rows 1000000] [--format csv]
                                       [--keep DIR] [--profile]

Each task runs the ``moscale`` command (the console script next to this Python) in a fresh child
process, as a user would run it, imports included, and is timed by wall clock. moscale may fork
a worker process for model fits; the peak memory is that of the command and its workers together,
sampled every 50 ms from ``/proc`` (proportional set size, so pages the processes share after the
fork count once), or the command's own ``ru_maxrss`` from ``os.wait4`` if that is larger. CPU
time is the command's and its workers'.

Tasks and targets (2 cores):

* ``demo``  -- ``moscale demo`` end to end: questionnaires, the bundled 400 responses, the report
  (industry groups, firm clusters, 2,000 bootstrap resamples): under 10 s.
* ``bfi``   -- ``moscale analyze tests/data/bfi.csv --model tests/data/bfi_five.lav --group gender
  --ordinal yes --bootstrap 2000``: 2,800 respondents, 25 six-point items treated as ordinal
  (polychoric correlations, WLSMV, invariance across gender, 2,000 bootstrap resamples): under 30 s.
* ``large`` -- 1,000,000 simulated respondents x 30 seven-point items from a three-factor model
  (loadings .5-.8, factor correlations .3-.5; numpy, fixed seed), written as CSV (or Parquet with
  ``--format parquet``) in a temporary folder, analysed with ``--ordinal no --estimator ML
  --bootstrap 0``: under 60 s and under 4 GiB peak memory. Writing the file is not timed.

``--profile`` runs each task under cProfile instead (slower) and prints the 25 most expensive
functions by cumulative time, to find a bottleneck. ``--keep DIR`` keeps the outputs there.
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from _common import BFI, ROOT

BFI_MODEL = ROOT / "tests" / "data" / "bfi_five.lav"
GIB = 1024**3

# Three factors, ten items each: loadings spread between .5 and .8, moderate factor correlations.
LARGE_LOADINGS = np.tile(np.linspace(0.5, 0.8, 10), 3)
LARGE_PHI = np.array([[1.0, 0.4, 0.3], [0.4, 1.0, 0.5], [0.3, 0.5, 1.0]])
LARGE_CUTS = np.array([-1.8, -1.1, -0.4, 0.3, 1.0, 1.7])  # seven categories, a little skewed
LARGE_MODEL = "\n".join(
    f"F{f + 1} =~ " + " + ".join(f"x{10 * f + i + 1}" for i in range(10)) for f in range(3)
)


@dataclass
class Outcome:
    task: str
    seconds: float
    cpu: float  # user + system seconds of the child
    peak_rss: int  # bytes
    target_s: float
    target_rss: int | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.seconds < self.target_s and (
            self.target_rss is None or self.peak_rss < self.target_rss
        )


def simulate_large(n: int, seed: int = 20240601) -> pd.DataFrame:
    """Seven-point answers of ``n`` respondents to 30 items of a three-factor model (latent-response
    formulation: y* = lambda eta + sqrt(1 - lambda^2) e, cut at fixed thresholds)."""
    rng = np.random.default_rng(seed)
    eta = rng.standard_normal((n, 3)) @ np.linalg.cholesky(LARGE_PHI).T
    lam = LARGE_LOADINGS
    factor = np.repeat(np.arange(3), 10)
    ystar = eta[:, factor] * lam + rng.standard_normal((n, 30)) * np.sqrt(1.0 - lam**2)
    codes = (np.searchsorted(LARGE_CUTS, ystar) + 1).astype(np.int8)
    return pd.DataFrame(codes, columns=[f"x{j + 1}" for j in range(30)])


def write_large(folder: Path, n: int, fmt: str) -> Path:
    frame = simulate_large(n)
    if fmt == "parquet":
        path = folder / "large.parquet"
        frame.to_parquet(path, index=False)
    else:
        # single-digit codes: build the CSV bytes directly (pandas' to_csv takes ~10 s for 1e6 rows)
        path = folder / "large.csv"
        codes = frame.to_numpy()
        body = np.empty((codes.shape[0], 2 * codes.shape[1]), dtype=np.uint8)
        body[:, 0::2] = codes + ord("0")
        body[:, 1::2] = ord(",")
        body[:, -1] = ord("\n")
        header = (",".join(frame.columns) + "\n").encode("ascii")
        path.write_bytes(header + body.tobytes())
    return path


class TreeMemory(threading.Thread):
    """Peak of the summed resident memory of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._done = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    # the command name may hold spaces: the fields after its ")" are fixed
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents[int(entry)] = ppid
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [p for p, pp in parents.items() if pp in frontier]
            tree += frontier
        return tree

    def _rss(self, pid: int) -> int:
        # proportional set size: a page shared by the command and a forked worker counts half
        # in each, so the sum is the memory the tree really holds (resident size if no PSS)
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            pass
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * self._page
        except (OSError, IndexError, ValueError):
            return 0

    def run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        while not self._done.wait(self.interval):
            self.peak = max(self.peak, sum(self._rss(p) for p in self._tree()))

    def stop(self) -> None:
        self._done.set()
        self.join()


def moscale_script() -> str:
    here = Path(sys.executable).parent / "moscale"
    found = str(here) if here.exists() else shutil.which("moscale")
    if not found:
        raise SystemExit("the moscale command is not installed: pip install -e .")
    return found


def run(args: list[str], cwd: Path, profile: bool) -> tuple[float, float, int]:
    """Run ``moscale <args>`` in a child process: wall-clock seconds, CPU seconds, peak memory (bytes)."""
    if profile:
        stats_file = cwd / "profile.pstats"
        cmd = [sys.executable, "-m", "cProfile", "-o", str(stats_file), moscale_script(), *args]
    else:
        cmd = [sys.executable, moscale_script(), *args]
    log = cwd / "child.log"
    with open(log, "wb") as sink:  # a file, not a pipe: a chatty child cannot block on a full pipe
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
        sampler = TreeMemory(proc.pid)
        sampler.start()
        # wait4 reports this child's resource use (ru_maxrss in KiB on Linux), its reaped
        # workers' CPU time included
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        sampler.stop()
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write(log.read_text(encoding="utf-8", errors="replace"))
        raise SystemExit(f"moscale {' '.join(args)} failed with exit code {code}")
    if profile:
        print(f"\n--- profile: moscale {' '.join(args)}")
        pstats.Stats(str(stats_file)).sort_stats("cumulative").print_stats(25)
    return seconds, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss * 1024, sampler.peak)


def task_demo(folder: Path, profile: bool) -> Outcome:
    seconds, cpu, rss = run(["demo", "-o", str(folder / "demo"), "--quiet"], folder, profile)
    return Outcome("moscale demo (400 respondents, 2,000 resamples)", seconds, cpu, rss, 10.0)


def task_bfi(folder: Path, profile: bool) -> Outcome:
    args = [
        "analyze",
        str(BFI),
        "--model",
        str(BFI_MODEL),
        "--group",
        "gender",
        "--ordinal",
        "yes",
        "--bootstrap",
        "2000",
        "-o",
        str(folder / "bfi.html"),
        "--json",
        str(folder / "bfi.json"),
        "--quiet",
    ]
    seconds, cpu, rss = run(args, folder, profile)
    return Outcome(
        "analyze bfi (2,800 x 25, ordinal, gender, 2,000 resamples)", seconds, cpu, rss, 30.0
    )


def task_large(folder: Path, profile: bool, rows: int, fmt: str) -> Outcome:
    t0 = time.perf_counter()
    data = write_large(folder, rows, fmt)
    made = time.perf_counter() - t0
    model = folder / "three.lav"
    model.write_text(LARGE_MODEL + "\n", encoding="utf-8")
    args = [
        "analyze",
        str(data),
        "--model",
        str(model),
        "--ordinal",
        "no",
        "--estimator",
        "ML",
        "--bootstrap",
        "0",
        "-o",
        str(folder / "large.html"),
        "--json",
        str(folder / "large.json"),
        "--quiet",
    ]
    seconds, cpu, rss = run(args, folder, profile)
    size = data.stat().st_size / 1024**2
    return Outcome(
        f"analyze {rows:,} x 30 ({fmt}, ML, no bootstrap)",
        seconds,
        cpu,
        rss,
        60.0,
        4 * GIB,
        note=f"input {size:.0f} MiB, written in {made:.1f} s (not timed)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="demo,bfi,large", help="comma-separated tasks")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large task")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--keep", type=Path, default=None, help="keep outputs in this folder")
    parser.add_argument("--profile", action="store_true", help="cProfile each task")
    opts = parser.parse_args()
    tasks = [t.strip() for t in opts.only.split(",") if t.strip()]
    unknown = set(tasks) - {"demo", "bfi", "large"}
    if unknown:
        parser.error(f"unknown task(s): {', '.join(sorted(unknown))}")

    with tempfile.TemporaryDirectory(prefix="moscale-bench-") as tmp:
        folder = opts.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        outcomes: list[Outcome] = []
        for task in tasks:
            if task == "demo":
                o = task_demo(folder, opts.profile)
            elif task == "bfi":
                o = task_bfi(folder, opts.profile)
            else:
                o = task_large(folder, opts.profile, opts.rows, opts.format)
            print(
                f"{o.task}: {o.seconds:.1f} s ({o.cpu:.1f} s CPU), peak memory "
                f"{o.peak_rss / GIB:.2f} GiB" + (f"; {o.note}" if o.note else "")
            )
            outcomes.append(o)

    print()
    print(f"{'task':<62} {'time':>8} {'CPU':>8} {'target':>8} {'peak mem':>10} {'target':>8}")
    for o in outcomes:
        rss_target = f"{o.target_rss / GIB:.0f} GiB" if o.target_rss else "-"
        print(
            f"{o.task:<62} {o.seconds:>6.1f} s {o.cpu:>6.1f} s {o.target_s:>6.0f} s "
            f"{o.peak_rss / GIB:>6.2f} GiB {rss_target:>8}  {'ok' if o.ok else 'MISSED'}"
        )
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1):
        print(
            f"(load average {load:.1f} on {os.cpu_count()} cores: other processes compete, wall "
            "times are inflated; CPU times are the steadier figure)"
        )
    if opts.profile:
        print("(under cProfile: times are inflated)")


if __name__ == "__main__":
    main()
