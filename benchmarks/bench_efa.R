# Timings of psych for benchmarks/bench_efa.py (called by it; prints one JSON object).
# Usage: Rscript benchmarks/bench_efa.R <repeats> <n_iter>   (from the repository root)
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) >= 1) as.integer(args[1]) else 5L
n_iter <- if (length(args) >= 2) as.integer(args[2]) else 20L
bfi <- read.csv("tests/data/bfi.csv")[, 1:25]
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")[, paste0("x", 1:9)]

# Best-of-`reps` elapsed seconds, as the Python side measures.
best <- function(expr) {
  e <- substitute(expr)
  env <- parent.frame()
  eval(e, env)  # warm-up, as the Python side
  times <- vapply(seq_len(reps), function(i) system.time(eval(e, env))[["elapsed"]], numeric(1))
  min(times)
}
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
cat(toJSON(out, auto_unbox = TRUE, digits = NA))
