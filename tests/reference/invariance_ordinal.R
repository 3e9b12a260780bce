# Reference figures for ordinal measurement invariance (analysis/invariance.py): semTools::datCat,
# eight five-category items (u1-u8) on two factors, two groups (g: male n = 100, female n = 100).
# The data are stored in the JSON (items as integer codes 1-5) so the tests need no R.
#
# * Wu & Estabrook (2016) ladders, syntax from semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016",
#   ID.fac = "std.lv"), WLSMV:
#     delta parameterization: configural, thresholds, thresholds + loadings, + intercepts;
#     theta parameterization: the same plus strict (+ residuals);
# * lavaan's own ladder (group.equal = "loadings", then c("loadings", "thresholds")), WLSMV;
# * lavTestLRT() between consecutive steps (method "satorra.2000", scaled.shifted = TRUE);
# * for the first W&E comparison (configural vs thresholds), the pieces lavaan's Satorra (2000)
#   difference test is built from -- per group the Jacobian Delta of the sample statistics
#   (thresholds, polychoric correlations) with respect to the free parameters of both models
#   (the restricted one reduced by its equality constraints), the diagonal weight matrix W and the
#   asymptotic covariance Gamma -- and lavaan's result (trace of UGamma and UGamma^2, scale a,
#   shift b, the difference statistic), to test the pure function satorra_2000() without the engine;
# * lavTestScore() univariate score tests on the W&E metric and scalar models (lavaan falls back to
#   the ordinary score test for WLSMV), and modindices() of the scalar model's intercepts (fixed at 0;
#   the score tests of freeing them in the second group).
#
# Run from the repository root: Rscript tests/reference/invariance_ordinal.R
#   -> tests/reference/invariance_ordinal.json
# Needs: lavaan 0.6.14, semTools 0.5.6, jsonlite.
source("tests/reference/invariance_common.R")
suppressPackageStartupMessages(library(semTools))

data(datCat, package = "semTools")
items <- paste0("u", 1:8)
model <- "FU1 =~ u1 + u2 + u3 + u4
FU2 =~ u5 + u6 + u7 + u8"

we_syntax <- function(ge, parameterization) {
  as.character(measEq.syntax(
    configural.model = model, data = datCat, ordered = items, parameterization = parameterization,
    ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "g", group.equal = ge
  ))
}
fit_we <- function(ge, parameterization) {
  cfa(we_syntax(ge, parameterization), data = datCat, group = "g", ordered = items,
      estimator = "WLSMV", parameterization = parameterization)
}

we_ladder <- function(parameterization) {
  steps <- list(
    configural = "",
    thresholds = "thresholds",
    metric = c("thresholds", "loadings"),
    scalar = c("thresholds", "loadings", "intercepts")
  )
  if (parameterization == "theta") steps$strict <- c("thresholds", "loadings", "intercepts", "residuals")
  fits <- lapply(steps, fit_we, parameterization = parameterization)
  nm <- names(fits)
  lrt <- list()
  for (k in 2:length(fits)) lrt[[nm[k]]] <- lrt_info(fits[[k - 1]], fits[[k]])
  out <- list(
    parameterization = parameterization,
    group_equal = steps,
    syntax = lapply(steps, we_syntax, parameterization = parameterization),
    fits = lapply(fits, fit_info),
    lrt = lrt
  )
  if (parameterization == "delta") {
    out$score <- list(metric = score_info(fits$metric), scalar = score_info(fits$scalar))
    # the scalar model's intercepts are fixed at 0, not constrained: their modification indices are
    # the score tests of freeing them in the second group
    mi <- modindices(fits$scalar, op = "~1", free.remove = FALSE)
    out$mi_intercepts <- df_cols(mi[mi$group == 2 & mi$lhs %in% items, c("lhs", "op", "group", "mi")])
    out$satorra2000 <- satorra_pieces(fits$configural, fits$thresholds)
  }
  out
}

satorra_pieces <- function(m1, m0) {
  stopifnot(!m1@Model@eq.constraints)
  d1 <- lavaan:::computeDelta(m1@Model)
  d0 <- lavaan:::computeDelta(m0@Model)
  if (m0@Model@eq.constraints) d0 <- lapply(d0, function(d) d %*% m0@Model@eq.constraints.K)
  w <- lavTech(m1, "WLS.V")
  gam <- lavTech(m1, "Gamma")
  res <- lavaan:::lav_test_diff_Satorra2000(m1, m0, H1 = TRUE, Satterthwaite = TRUE, scaled.shifted = TRUE)
  list(
    nobs = as.numeric(unlist(lavInspect(m1, "nobs"))),
    T1 = m1@test[[1]]$stat, df1 = m1@test[[1]]$df,
    T0 = m0@test[[1]]$stat, df0 = m0@test[[1]]$df,
    delta1 = unname(lapply(d1, unname)),
    delta0 = unname(lapply(d0, unname)),
    w_diag = unname(lapply(w, function(x) as.numeric(diag(x)))),
    w_offdiag_max = max(sapply(w, function(x) max(abs(x - diag(diag(x)))))),
    gamma = unname(lapply(gam, unname)),
    result = list(
      T_delta = res$T.delta, df_delta = res$df.delta, trace_UGamma = res$trace.UGamma,
      trace_UGamma2 = res$trace.UGamma2, a = res$a, b = res$b
    )
  )
}

lavaan_ladder <- function() {
  f <- function(...) cfa(model, data = datCat, group = "g", ordered = items, estimator = "WLSMV", ...)
  fits <- list(
    configural = f(),
    metric = f(group.equal = "loadings"),
    scalar = f(group.equal = c("loadings", "thresholds"))
  )
  list(
    fits = lapply(fits, fit_info),
    lrt = list(metric = lrt_info(fits$configural, fits$metric), scalar = lrt_info(fits$metric, fits$scalar))
  )
}

dat <- lapply(datCat[items], as.integer)
dat$g <- as.character(datCat$g)

ref <- list(
  model = model,
  group = "g",
  data = dat,
  we_delta = we_ladder("delta"),
  we_theta = we_ladder("theta"),
  lavaan_delta = lavaan_ladder()
)
write_ref(ref, "tests/reference/invariance_ordinal.json")
