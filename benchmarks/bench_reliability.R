# Timings of psych alpha() with a bootstrap for benchmarks/bench_reliability.py (called by it;
# prints one JSON object). Usage: Rscript benchmarks/bench_reliability.R <csv> <repeats> <n_iter>
suppressPackageStartupMessages({
  library(psych)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
x <- read.csv(args[1])
reps <- if (length(args) >= 2) as.integer(args[2]) else 3L
n_iter <- if (length(args) >= 3) as.integer(args[3]) else 2000L

best <- function(expr) {
  e <- substitute(expr)
  env <- parent.frame()
  eval(e, env)
  min(vapply(seq_len(reps), function(i) system.time(eval(e, env))[["elapsed"]], numeric(1)))
}
out <- list(
  cores = getOption("mc.cores", 2L),
  alpha_point = best(alpha(x)),
  alpha_boot = best(alpha(x, n.iter = n_iter)),
  omega_1f = best(suppressMessages(omega(x, nfactors = 1, plot = FALSE)))
)
cat(toJSON(out, auto_unbox = TRUE, digits = NA))
