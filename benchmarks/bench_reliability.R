# Timings of psych alpha() with a bootstrap for benchmarks/bench_reliability.py (called by it;
# prints one JSON object). Usage: Rscript benchmarks/bench_reliability.R <csv> <repeats> <n_iter>
source("benchmarks/_common.R")
use("psych")
x <- read.csv(commandArgs(trailingOnly = TRUE)[1])
reps <- int_arg(2, 3L)
n_iter <- int_arg(3, 2000L)
out <- list(
  cores = getOption("mc.cores", 2L),
  alpha_point = best(alpha(x)),
  alpha_boot = best(alpha(x, n.iter = n_iter)),
  omega_1f = best(suppressMessages(omega(x, nfactors = 1, plot = FALSE)))
)
emit(out)
