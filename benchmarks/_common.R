# What the R benchmark scripts share; each sources it first (they run from the repository root).

# Attach the packages, then jsonlite, without their start-up messages (stdout is for the JSON).
use <- function(...) {
  for (p in c(..., "jsonlite")) suppressPackageStartupMessages(library(p, character.only = TRUE))
}

# The i-th command-line argument as an integer, or `default` when the caller gave fewer.
int_arg <- function(i, default) {
  args <- commandArgs(trailingOnly = TRUE)
  if (length(args) >= i) as.integer(args[i]) else default
}

# Best-of-`n` elapsed seconds after one warm-up run, as the Python side measures; `n` defaults
# to the calling script's `reps`.
best <- function(expr, n = reps) {
  e <- substitute(expr)
  env <- parent.frame()
  eval(e, env)
  min(vapply(seq_len(n), function(i) system.time(eval(e, env))[["elapsed"]], numeric(1)))
}

# The results as one JSON object on the last line, where the Python script reads them.
emit <- function(out) cat(toJSON(out, auto_unbox = TRUE, digits = NA))
