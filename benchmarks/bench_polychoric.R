# Timings of psych polychoric() and lavaan lavCor() for benchmarks/bench_polychoric.py
# (called by it; prints one JSON object). Usage, from the repository root:
#   Rscript benchmarks/bench_polychoric.R <repeats>
source("benchmarks/_common.R")
use("psych", "lavaan")
reps <- int_arg(1, 5L)
bfi <- read.csv("tests/data/bfi.csv")[, 1:25]
nm <- names(bfi)
out <- list(
  cores = getOption("mc.cores", 2L),
  psych_pairwise = best(polychoric(bfi)),
  lavaan_listwise = best(lavCor(bfi, ordered = nm)),
  lavaan_pairwise = best(lavCor(bfi, ordered = nm, missing = "pairwise"))
)
emit(out)
