# Shared helpers for the measurement-invariance reference scripts (invariance_*.R). Sourced, not run
# on its own. For every lavaan 0.6.14 fit of an invariance ladder it stores the fit measures, the
# parameter table (estimates, SEs, labels), and for pairs of nested fits lavTestLRT()'s difference test
# (with the scale and shift of the scaled-shifted WLSMV test), and lavTestScore()'s univariate score
# tests with the constrained parameters spelled out, so tests/unit/test_invariance*.py can compare
# moscale.analysis.invariance against them without R.
suppressPackageStartupMessages({
  library(jsonlite)
  library(lavaan)
})
stopifnot(packageVersion("lavaan") == "0.6.14")

vec <- function(v) as.list(setNames(as.numeric(v), names(v)))
df_cols <- function(d) {
  d <- as.data.frame(d)
  lapply(d, function(col) if (is.factor(col)) as.character(col) else col)
}

# One fit: fit measures, sample sizes, parameter table.
fit_info <- function(fit) {
  pt <- parTable(fit)
  keep <- pt$op != "=="
  list(
    converged = lavInspect(fit, "converged"),
    nobs = as.list(lavInspect(fit, "nobs")),
    ntotal = lavInspect(fit, "ntotal"),
    npar = lavInspect(fit, "npar"),
    group_labels = as.list(lavInspect(fit, "group.label")),
    fit = vec(fitMeasures(fit)),
    partable = df_cols(pt[keep, c("lhs", "op", "rhs", "group", "free", "label", "plabel", "est", "se")])
  )
}

# lavTestLRT(m1, m0) of two nested fits (m1 less restricted), as a flat record.
lrt_info <- function(m1, m0, ...) {
  tab <- lavTestLRT(m1, m0, ...)
  out <- list(
    method = attr(tab, "heading"),
    df = as.numeric(tab[, "Df"]),
    chisq = as.numeric(tab[, "Chisq"]),
    chisq_diff = as.numeric(tab[2, "Chisq diff"]),
    df_diff = as.numeric(tab[2, "Df diff"]),
    pvalue = as.numeric(tab[2, "Pr(>Chisq)"])
  )
  if ("RMSEA" %in% names(tab)) out$rmsea <- as.numeric(tab[2, "RMSEA"])
  if (!is.null(attr(tab, "scale"))) {
    out$scale <- as.numeric(attr(tab, "scale")[2])
    out$shift <- as.numeric(attr(tab, "shift")[2])
  }
  out
}

# lavTestScore()$uni with each constraint's two parameters written as lhs/op/rhs/group.
score_info <- function(fit) {
  st <- lavTestScore(fit, warn = FALSE)
  pt <- parTable(fit)
  find <- function(pl) {
    i <- match(pl, pt$plabel)
    list(lhs = pt$lhs[i], op = pt$op[i], rhs = pt$rhs[i], group = pt$group[i])
  }
  uni <- st$uni
  a <- lapply(uni$lhs, find)
  b <- lapply(uni$rhs, find)
  list(
    total = list(X2 = st$test$X2, df = st$test$df, p.value = st$test$p.value),
    uni = list(
      lhs_plabel = uni$lhs, rhs_plabel = uni$rhs,
      lhs = sapply(a, `[[`, "lhs"), op = sapply(a, `[[`, "op"), rhs = sapply(a, `[[`, "rhs"),
      group_a = sapply(a, `[[`, "group"), group_b = sapply(b, `[[`, "group"),
      rhs_lhs = sapply(b, `[[`, "lhs"), rhs_rhs = sapply(b, `[[`, "rhs"),
      X2 = uni$X2, df = uni$df, p.value = uni$p.value
    )
  )
}

write_ref <- function(x, path) {
  x$versions <- list(
    R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
    semTools = if (requireNamespace("semTools", quietly = TRUE)) as.character(packageVersion("semTools")) else NULL
  )
  writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = FALSE), path)
}
