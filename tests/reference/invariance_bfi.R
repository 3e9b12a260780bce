# Reference figures for measurement invariance (analysis/invariance.py) on psych::bfi.
#
# * Five-factor model (25 items) across gender (complete cases: men n = 805, women n = 1631):
#   - ML and MLR ladders: configural, metric, scalar, strict, with lavTestLRT() between consecutive
#     steps (chi-square difference; Satorra-Bentler 2001 for MLR) and lavTestScore() on metric and
#     scalar (ML);
#   - WLSMV with all 25 items ordered, delta parameterization:
#       lavaan's own ladder: configural, loadings, loadings + thresholds;
#       Wu & Estabrook (2016) ladder, syntax from semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016"):
#       configural, thresholds, thresholds + loadings, thresholds + loadings + intercepts;
#     lavTestLRT() between consecutive steps (method "satorra.2000", scaled.shifted).
# * Neuroticism (N1-N5, one factor) across the five education levels (rows with an education code
#   and complete items; unequal groups n = 198 ... 1078), ML: configural, metric, scalar, strict.
# * Agreeableness and neuroticism (10 items) across gender with FIML (missing = "ml"; every row
#   with at least one answer), ML and MLR: configural, metric, scalar; lavTestScore() on metric (ML).
#
# Run from the repository root: Rscript tests/reference/invariance_bfi.R
#   -> tests/reference/invariance_bfi.json   (takes a few minutes: the WLSMV fits are slow)
# Needs: lavaan 0.6.14, semTools 0.5.6, jsonlite.
source("tests/reference/invariance_common.R")
suppressPackageStartupMessages(library(semTools))

bfi <- read.csv("tests/data/bfi.csv")
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
model <- "A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
O =~ O1 + O2 + O3 + O4 + O5"

continuous_ladder <- function(estimator) {
  f <- function(...) cfa(model, data = bfi, group = "gender", estimator = estimator, ...)
  fits <- list(
    configural = f(),
    metric = f(group.equal = "loadings"),
    scalar = f(group.equal = c("loadings", "intercepts")),
    strict = f(group.equal = c("loadings", "intercepts", "residuals"))
  )
  list(
    estimator = estimator,
    fits = lapply(fits, fit_info),
    lrt = list(
      metric = lrt_info(fits$configural, fits$metric),
      scalar = lrt_info(fits$metric, fits$scalar),
      strict = lrt_info(fits$scalar, fits$strict)
    ),
    score = if (estimator == "ML") list(metric = score_info(fits$metric), scalar = score_info(fits$scalar)) else NULL
  )
}

wlsmv_lavaan <- function() {
  f <- function(...) cfa(model, data = bfi, group = "gender", ordered = items, estimator = "WLSMV", ...)
  fits <- list(
    configural = f(),
    metric = f(group.equal = "loadings"),
    scalar = f(group.equal = c("loadings", "thresholds"))
  )
  list(
    estimator = "WLSMV",
    fits = lapply(fits, fit_info),
    lrt = list(metric = lrt_info(fits$configural, fits$metric), scalar = lrt_info(fits$metric, fits$scalar))
  )
}

wlsmv_we <- function() {
  syn <- function(ge) {
    as.character(measEq.syntax(
      configural.model = model, data = bfi, ordered = items, parameterization = "delta",
      ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "gender", group.equal = ge
    ))
  }
  f <- function(ge) cfa(syn(ge), data = bfi, group = "gender", ordered = items, estimator = "WLSMV")
  fits <- list(
    configural = f(""),
    thresholds = f("thresholds"),
    metric = f(c("thresholds", "loadings")),
    scalar = f(c("thresholds", "loadings", "intercepts"))
  )
  list(
    estimator = "WLSMV",
    identification = "Wu.Estabrook.2016 (semTools::measEq.syntax, delta parameterization, std.lv)",
    fits = lapply(fits, fit_info),
    lrt = list(
      thresholds = lrt_info(fits$configural, fits$thresholds),
      metric = lrt_info(fits$thresholds, fits$metric),
      scalar = lrt_info(fits$metric, fits$scalar)
    )
  )
}

education_ladder <- function() {
  d <- bfi[!is.na(bfi$education), ]
  m <- "N =~ N1 + N2 + N3 + N4 + N5"
  f <- function(...) cfa(m, data = d, group = "education", ...)
  fits <- list(
    configural = f(),
    metric = f(group.equal = "loadings"),
    scalar = f(group.equal = c("loadings", "intercepts")),
    strict = f(group.equal = c("loadings", "intercepts", "residuals"))
  )
  list(
    model = m,
    estimator = "ML",
    fits = lapply(fits, fit_info),
    lrt = list(
      metric = lrt_info(fits$configural, fits$metric),
      scalar = lrt_info(fits$metric, fits$scalar),
      strict = lrt_info(fits$scalar, fits$strict)
    )
  )
}

fiml_ladder <- function(estimator) {
  m <- "A =~ A1 + A2 + A3 + A4 + A5
N =~ N1 + N2 + N3 + N4 + N5"
  f <- function(...) cfa(m, data = bfi, group = "gender", missing = "ml", estimator = estimator, ...)
  fits <- list(
    configural = f(),
    metric = f(group.equal = "loadings"),
    scalar = f(group.equal = c("loadings", "intercepts"))
  )
  list(
    model = m,
    estimator = estimator,
    missing = "ml",
    fits = lapply(fits, fit_info),
    lrt = list(metric = lrt_info(fits$configural, fits$metric), scalar = lrt_info(fits$metric, fits$scalar)),
    score = if (estimator == "ML") list(metric = score_info(fits$metric)) else NULL
  )
}

ref <- list(
  model = model,
  group = "gender",
  ml = continuous_ladder("ML"),
  mlr = continuous_ladder("MLR"),
  wlsmv = wlsmv_lavaan(),
  wlsmv_we = wlsmv_we(),
  education_ml = education_ladder(),
  fiml_ml = fiml_ladder("ML"),
  fiml_mlr = fiml_ladder("MLR")
)
write_ref(ref, "tests/reference/invariance_bfi.json")
