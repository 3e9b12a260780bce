# Timings of psych polychoric() and lavaan lavCor() for benchmarks/bench_polychoric.py
# (called by it; prints one JSON object). Usage, from the repository root:
#   Rscript benchmarks/bench_polychoric.R <repeats>
suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) >= 1) as.integer(args[1]) else 5L
bfi <- read.csv("tests/data/bfi.csv")[, 1:25]
nm <- names(bfi)

# Best-of-`reps` elapsed seconds after one warm-up, as the Python side measures.
best <- function(expr) {
  e <- substitute(expr)
  env <- parent.frame()
  eval(e, env)
  min(vapply(seq_len(reps), function(i) system.time(eval(e, env))[["elapsed"]], numeric(1)))
}
out <- list(
  cores = getOption("mc.cores", 2L),
  psych_pairwise = best(polychoric(bfi)),
  lavaan_listwise = best(lavCor(bfi, ordered = nm)),
  lavaan_pairwise = best(lavCor(bfi, ordered = nm, missing = "pairwise"))
)
cat(toJSON(out, auto_unbox = TRUE, digits = NA))
