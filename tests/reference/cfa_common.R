# Shared helpers for the CFA reference scripts (cfa_*.R). Sourced, not run on its own.
# Each block stores, for one lavaan 0.6.14 fit: the parameter table with SEs, the standardized
# solution with delta-method SEs, fitMeasures(), R-squared, residual correlations, the model-implied
# covariance matrix and the modification indices, so tests/unit/test_cfa_*.py can compare moscale's
# cfa() against them without R.
suppressPackageStartupMessages({
  library(jsonlite)
  library(lavaan)
})
stopifnot(packageVersion("lavaan") == "0.6.14")

mat <- function(m) {
  m <- unclass(m)
  list(rows = rownames(m), cols = colnames(m), values = unname(as.matrix(m)))
}
vec <- function(v) as.list(setNames(as.numeric(v), names(v)))
df_cols <- function(d) {
  d <- as.data.frame(d)
  lapply(d, function(col) if (is.factor(col)) as.character(col) else col)
}

fit_block <- function(fit, mi = TRUE) {
  pe <- parameterEstimates(fit, standardized = TRUE, remove.eq = TRUE, remove.system.eq = TRUE)
  ss <- standardizedSolution(fit, type = "std.all")
  pt <- parTable(fit)
  fm <- fitMeasures(fit)
  ng <- lavInspect(fit, "ngroups")
  r2 <- lavInspect(fit, "r2")
  res <- resid(fit, type = "cor")
  implied <- lavInspect(fit, "cov.ov")
  if (ng == 1) {
    r2 <- list(r2)
    res <- list(res)
    implied <- list(implied)
  }
  out <- list(
    converged = lavInspect(fit, "converged"),
    nobs = as.list(lavInspect(fit, "nobs")),
    ntotal = lavInspect(fit, "ntotal"),
    options = list(
      information = lavInspect(fit, "options")$information,
      se = lavInspect(fit, "options")$se,
      test = lavInspect(fit, "options")$test,
      meanstructure = lavInspect(fit, "options")$meanstructure
    ),
    partable = df_cols(pt[, c("lhs", "op", "rhs", "group", "free", "label", "est", "se")]),
    est = df_cols(pe),
    std = df_cols(ss),
    fit = vec(fm),
    r2 = lapply(r2, vec),
    resid_cor = lapply(res, function(r) list(cov = mat(r$cov), mean = if (is.null(r$mean)) NULL else vec(r$mean))),
    implied_cov = lapply(implied, mat),
    vcov = mat(vcov(fit))
  )
  if (mi) {
    m <- modindices(fit, sort. = TRUE)
    out$mi <- df_cols(m)
  }
  out
}

write_ref <- function(x, path) {
  x$versions <- list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")))
  writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = FALSE), path)
}
