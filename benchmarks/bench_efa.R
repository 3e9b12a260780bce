# Timings of psych for benchmarks/bench_efa.py (called by it; prints one JSON object).
# Usage: Rscript benchmarks/bench_efa.R <repeats> <n_iter>   (from the repository root)
source("benchmarks/_common.R")
use("psych", "GPArotation")
reps <- int_arg(1, 5L)
n_iter <- int_arg(2, 20L)
bfi <- read.csv("tests/data/bfi.csv")[, 1:25]
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")[, paste0("x", 1:9)]
set.seed(1)
invisible(fa(bfi, 5, warnings = FALSE))  # load GPArotation and warm up
out <- list(
  cores = getOption("mc.cores", 2L),
  parallel_bfi = best(capture.output(fa.parallel(bfi, n.iter = n_iter, plot = FALSE))),
  parallel_hs = best(capture.output(fa.parallel(hs, n.iter = n_iter, plot = FALSE))),
  fa_bfi_minres_oblimin = best(fa(bfi, 5, warnings = FALSE)),
  fa_bfi_ml_varimax = best(fa(bfi, 5, fm = "ml", rotate = "varimax", warnings = FALSE)),
  fa_hs_minres_oblimin = best(fa(hs, 3, warnings = FALSE)),
  omega_bfi = best(suppressMessages(omega(bfi, 5, plot = FALSE))),
  kmo_bartlett_bfi = best({KMO(bfi); suppressMessages(cortest.bartlett(bfi))}),
  vss_map_bfi = best(vss(bfi, n = 8, plot = FALSE))
)
emit(out)
