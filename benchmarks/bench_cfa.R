# Timings of lavaan 0.6.14 for benchmarks/bench_cfa.py (called by it; prints one JSON object).
# Usage: Rscript benchmarks/bench_cfa.R <repeats>   (from the repository root)
# Each task: cfa() followed by fitMeasures() (lavaan fits the baseline model inside cfa()).
source("benchmarks/_common.R")
use("lavaan")
reps <- int_arg(1, 5L)
bfi <- read.csv("tests/data/bfi.csv")
model <- "A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
O =~ O1 + O2 + O3 + O4 + O5"
fiml_reps <- max(1L, min(reps, 2L))  # FIML with MLR fit measures takes ~30 s a run in lavaan
out <- list(
  ml_fit = best(cfa(model, data = bfi)),
  ml_fit_measures = best(fitMeasures(cfa(model, data = bfi))),
  mlr_fit = best(cfa(model, data = bfi, estimator = "MLR")),
  mlr_fit_measures = best(fitMeasures(cfa(model, data = bfi, estimator = "MLR"))),
  fiml_fit = best(cfa(model, data = bfi, missing = "ml"), fiml_reps),
  fiml_fit_measures = best(fitMeasures(cfa(model, data = bfi, missing = "ml")), fiml_reps),
  fiml_mlr_fit_measures = best(fitMeasures(cfa(model, data = bfi, missing = "ml", estimator = "MLR")), 1L)
)
emit(out)
