# Reference figures for measurement invariance (analysis/invariance.py): the three-factor
# Holzinger-Swineford model across the two schools (Pasteur n = 156, Grant-White n = 145).
# Ladders with ML and MLR: configural, metric (loadings), scalar (+ intercepts), strict (+ residuals);
# partial scalar with the intercepts of x3 and x7 released; latent means and variances on top of
# scalar; lavTestLRT() between consecutive steps (chi-square difference for ML, Satorra-Bentler 2001
# for MLR); lavTestScore() on the metric and scalar models (ML).
# Run from the repository root: Rscript tests/reference/invariance_hs.R
#   -> tests/reference/invariance_hs.json
# Needs: lavaan 0.6.14, jsonlite (r-cran-lavaan, r-cran-jsonlite).
source("tests/reference/invariance_common.R")

hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"

ladder <- function(estimator) {
  f <- function(...) cfa(model, data = hs, group = "school", estimator = estimator, ...)
  fits <- list(
    configural = f(),
    metric = f(group.equal = "loadings"),
    scalar = f(group.equal = c("loadings", "intercepts")),
    strict = f(group.equal = c("loadings", "intercepts", "residuals")),
    scalar_partial = f(group.equal = c("loadings", "intercepts"), group.partial = c("x3 ~ 1", "x7 ~ 1")),
    means = f(group.equal = c("loadings", "intercepts", "means")),
    lv_variances = f(group.equal = c("loadings", "intercepts", "lv.variances"))
  )
  list(
    estimator = estimator,
    fits = lapply(fits, fit_info),
    lrt = list(
      metric = lrt_info(fits$configural, fits$metric),
      scalar = lrt_info(fits$metric, fits$scalar),
      strict = lrt_info(fits$scalar, fits$strict),
      scalar_partial = lrt_info(fits$metric, fits$scalar_partial),
      means = lrt_info(fits$scalar, fits$means),
      lv_variances = lrt_info(fits$scalar, fits$lv_variances)
    ),
    score = if (estimator == "ML") list(
      metric = score_info(fits$metric),
      scalar = score_info(fits$scalar)
    ) else NULL
  )
}

ref <- list(
  model = model,
  group = "school",
  ml = ladder("ML"),
  mlr = ladder("MLR")
)
write_ref(ref, "tests/reference/invariance_hs.json")
