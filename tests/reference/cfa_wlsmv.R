# Reference figures for moscale's ordinal CFA (analysis/cfa/wls.py, wls_samplestats.py).
# Run from the repository root:  Rscript tests/reference/cfa_wlsmv.R
# Writes tests/reference/cfa_wlsmv.json, read by tests/unit/test_cfa_wlsmv.py.
#
# Data: tests/data/bfi.csv (psych::bfi) and tests/data/hs_ordinal.csv, which this script also
# writes: lavaan's HolzingerSwineford1939 x1-x9 cut at their sample quantiles into 3 or 4
# categories (so Python reads exactly the data R used).
suppressPackageStartupMessages({
  library(jsonlite)
  library(lavaan)
  library(semTools)
})
stopifnot(packageVersion("lavaan") == "0.6.14", packageVersion("semTools") == "0.5.6")

# --- data ---------------------------------------------------------------------------------------
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
cutq <- function(x, k) {
  cut(x, breaks = quantile(x, probs = seq(0, 1, length.out = k + 1)), include.lowest = TRUE,
      labels = FALSE)
}
ks <- c(x1 = 3, x2 = 4, x3 = 3, x4 = 4, x5 = 3, x6 = 4, x7 = 3, x8 = 4, x9 = 3)
hso <- data.frame(school = hs$school)
for (v in names(ks)) hso[[v]] <- cutq(hs[[v]], ks[[v]])
write.csv(hso, "tests/data/hs_ordinal.csv", row.names = FALSE)

bfi <- read.csv("tests/data/bfi.csv")
items25 <- names(bfi)[1:25]
bfi_cc <- bfi[complete.cases(bfi[, items25]), ]

m_bfi5 <- paste(
  "A =~ A1 + A2 + A3 + A4 + A5",
  "C =~ C1 + C2 + C3 + C4 + C5",
  "E =~ E1 + E2 + E3 + E4 + E5",
  "N =~ N1 + N2 + N3 + N4 + N5",
  "O =~ O1 + O2 + O3 + O4 + O5",
  sep = "\n"
)
m_ac <- "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"
m_hs <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
m_hs_th <- paste(
  m_hs,
  "x1 | t1 + t2",
  "x2 | th2a*t1 + t2 + t3",
  sep = "\n"
)

# --- helpers ------------------------------------------------------------------------------------
vec <- function(v) as.list(setNames(as.numeric(v), names(v)))
df_cols <- function(d) {
  d <- as.data.frame(d)
  lapply(d, function(col) if (is.factor(col)) as.character(col) else col)
}
as_list_groups <- function(x, ng) if (ng == 1) list(x) else x

ord_block <- function(fit, gamma_full = FALSE, comprel = TRUE) {
  ng <- lavInspect(fit, "ngroups")
  pe <- parameterEstimates(fit, standardized = TRUE, remove.eq = TRUE, remove.system.eq = TRUE)
  ss <- standardizedSolution(fit, type = "std.all")
  tests <- lapply(fit@test, function(t) {
    keep <- c("test", "stat", "df", "pvalue", "scaling.factor", "shift.parameter", "trace.UGamma",
              "trace.UGamma2")
    t <- t[intersect(keep, names(t))]
    lapply(t, function(v) if (is.character(v)) v else as.numeric(v))
  })
  samp <- as_list_groups(lavInspect(fit, "sampstat"), ng)
  gam <- lavTech(fit, "gamma")
  obs <- lavTech(fit, "wls.obs")
  r2 <- as_list_groups(lavInspect(fit, "r2"), ng)
  impl <- as_list_groups(lavInspect(fit, "implied"), ng)
  out <- list(
    converged = lavInspect(fit, "converged"),
    nobs = as.list(lavInspect(fit, "nobs")),
    ntotal = lavInspect(fit, "ntotal"),
    npar = lavInspect(fit, "npar"),
    group_labels = as.list(lavInspect(fit, "group.label")),
    options = list(
      estimator = lavInspect(fit, "options")$estimator,
      se = lavInspect(fit, "options")$se,
      test = lavInspect(fit, "options")$test,
      parameterization = lavInspect(fit, "options")$parameterization
    ),
    est = df_cols(pe),
    std = df_cols(ss[, c("lhs", "op", "rhs", intersect("group", names(ss)), "est.std", "se")]),
    fit = vec(fitMeasures(fit)),
    tests = tests,
    thresholds = lapply(samp, function(s) vec(s$th)),
    polychoric = lapply(samp, function(s) unname(unclass(s$cov))),
    wls_obs = lapply(obs, as.numeric),
    gamma_diag = lapply(gam, function(g) as.numeric(diag(g))),
    r2 = lapply(r2, vec),
    implied_th = lapply(impl, function(s) as.numeric(s$th)),
    implied_cor = lapply(impl, function(s) unname(unclass(s$cov)))
  )
  if (gamma_full) out$gamma <- lapply(gam, unname)
  if (comprel) {
    cr <- compRelSEM(fit)
    cr_lat <- compRelSEM(fit, ord.scale = FALSE)
    out$comprel <- if (is.data.frame(cr)) df_cols(cr) else vec(cr)
    out$comprel_latent <- if (is.data.frame(cr_lat)) df_cols(cr_lat) else vec(cr_lat)
  }
  out
}

timed <- function(expr) {
  t0 <- proc.time()[["elapsed"]]
  val <- force(expr)
  list(val = val, seconds = proc.time()[["elapsed"]] - t0)
}

# --- fits ---------------------------------------------------------------------------------------
ref <- list()

# A and C items with listwise deletion on these ten items only (lavaan's default)
fit <- cfa(m_ac, data = bfi[, paste0(rep(c("A", "C"), each = 5), 1:5)], ordered = TRUE,
           estimator = "WLSMV")
ref$ac_wlsmv <- c(list(model = m_ac, items = paste0(rep(c("A", "C"), each = 5), 1:5)),
                  ord_block(fit, gamma_full = TRUE))
ref$ac_wlsmv$vcov <- unname(unclass(vcov(fit)))
ref$ac_wlsmv$vcov_names <- colnames(vcov(fit))

fit <- cfa(m_bfi5, data = bfi_cc[, items25], ordered = TRUE, estimator = "WLSMV")
ref$bfi5_wlsmv <- c(list(model = m_bfi5, items = items25), ord_block(fit))

hs9 <- paste0("x", 1:9)
fit <- cfa(m_hs, data = hso[, hs9], ordered = TRUE, estimator = "WLSMV")
ref$hs_wlsmv <- c(list(model = m_hs), ord_block(fit, gamma_full = TRUE))

fit <- cfa(m_hs, data = hso[, hs9], ordered = TRUE, estimator = "ULSMV")
ref$hs_ulsmv <- c(list(model = m_hs), ord_block(fit))

fit <- cfa(m_hs, data = hso[, hs9], ordered = TRUE, estimator = "DWLS")
ref$hs_dwls <- c(list(model = m_hs), ord_block(fit))

fit <- cfa(m_hs, data = hso[, hs9], ordered = TRUE, estimator = "WLSM")
ref$hs_wlsm <- c(list(model = m_hs), ord_block(fit))

fit <- cfa(m_hs, data = hso[, hs9], ordered = TRUE, estimator = "WLS")
ref$hs_wls <- c(list(model = m_hs), ord_block(fit))

fit <- cfa(m_hs, data = hso[, hs9], ordered = TRUE, estimator = "WLSMV", parameterization = "theta")
ref$hs_theta <- c(list(model = m_hs), ord_block(fit))

fit <- cfa(m_ac, data = bfi[, paste0(rep(c("A", "C"), each = 5), 1:5)], ordered = TRUE,
           estimator = "WLSMV", parameterization = "theta", std.lv = TRUE)
ref$ac_theta_stdlv <- c(list(model = m_ac), ord_block(fit))

fit <- cfa(m_hs_th, data = hso[, hs9], ordered = TRUE, estimator = "WLSMV")
ref$hs_threshold_syntax <- c(list(model = m_hs_th), ord_block(fit))

# Binary items (tetrachoric correlations): the ordered HS items split at their middle category
hsb <- hso
for (v in hs9) hsb[[v]] <- as.integer(hso[[v]] >= 2)
fit <- cfa(m_hs, data = hsb[, hs9], ordered = TRUE, estimator = "WLSMV")
ref$hs_binary <- c(list(model = m_hs), ord_block(fit))

# A cross-loading and a residual covariance
m_hs_extra <- "visual =~ x1 + x2 + x3 + x9\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nx2 ~~ x3"
fit <- cfa(m_hs_extra, data = hso[, hs9], ordered = TRUE, estimator = "WLSMV")
ref$hs_extra <- c(list(model = m_hs_extra), ord_block(fit))

# A second-order factor over three first-order factors (15 bfi items)
m_higher <- paste(
  "A =~ A1 + A2 + A3 + A4 + A5",
  "C =~ C1 + C2 + C3 + C4 + C5",
  "E =~ E1 + E2 + E3 + E4 + E5",
  "g =~ A + C + E",
  sep = "\n"
)
items15 <- paste0(rep(c("A", "C", "E"), each = 5), 1:5)
fit <- cfa(m_higher, data = bfi[, items15], ordered = TRUE, estimator = "WLSMV")
ref$bfi_higher <- c(list(model = m_higher), ord_block(fit, comprel = FALSE))

# Ordered and continuous indicators together: x1-x3 continuous (the original scores), x4-x9 ordered
hsm <- data.frame(x1 = hs$x1, x2 = hs$x2, x3 = hs$x3, hso[, paste0("x", 4:9)])
fit <- cfa(m_hs, data = hsm, ordered = paste0("x", 4:9), estimator = "WLSMV")
ref$hs_mixed <- c(list(model = m_hs, ordered = paste0("x", 4:9)), ord_block(fit, gamma_full = TRUE))
fit <- cfa(m_hs, data = hsm, ordered = paste0("x", 4:9), estimator = "WLSMV",
           parameterization = "theta")
ref$hs_mixed_theta <- c(list(model = m_hs, ordered = paste0("x", 4:9)), ord_block(fit, comprel = FALSE))

# Multiple groups (for measurement invariance): configural, then thresholds + loadings equal.
fit <- cfa(m_hs, data = hso, ordered = TRUE, estimator = "WLSMV", group = "school")
ref$hs_mg_configural <- c(list(model = m_hs, group = "school"), ord_block(fit))
fit <- cfa(m_hs, data = hso, ordered = TRUE, estimator = "WLSMV", group = "school",
           group.equal = "loadings")
ref$hs_mg_loadings <- c(list(model = m_hs, group = "school", group_equal = "loadings"),
                        ord_block(fit, comprel = FALSE))
fit <- cfa(m_hs, data = hso, ordered = TRUE, estimator = "WLSMV", group = "school",
           group.equal = c("thresholds", "loadings"))
ref$hs_mg_thr_load <- c(list(model = m_hs, group = "school",
                             group_equal = c("thresholds", "loadings")), ord_block(fit))
fit <- cfa(m_hs, data = hso, ordered = TRUE, estimator = "WLSMV", group = "school",
           group.equal = c("thresholds", "loadings"), parameterization = "theta")
ref$hs_mg_thr_load_theta <- c(list(model = m_hs, group = "school",
                                   group_equal = c("thresholds", "loadings")),
                              ord_block(fit, comprel = FALSE))

# The invariance sequence as semTools writes it (Wu & Estabrook, 2016, identification; repeated
# terms such as `c(NA, NA)*x1 + c(lambda.1_1, lambda.1_1)*x1`, free intercepts and scale factors)
for (ge in list("configural", "thresholds", c("thresholds", "loadings"),
                c("thresholds", "loadings", "intercepts"))) {
  syn <- measEq.syntax(configural.model = m_hs, data = hso, ordered = hs9,
                       parameterization = "delta", ID.fac = "std.lv",
                       ID.cat = "Wu.Estabrook.2016", group = "school",
                       group.equal = if (ge[1] == "configural") "" else ge)
  txt <- as.character(syn)
  fit <- cfa(txt, data = hso, group = "school", ordered = hs9, estimator = "WLSMV")
  ref[[paste0("meq_", paste(ge, collapse = "_"))]] <- c(list(model = txt, group = "school"),
                                                         ord_block(fit, comprel = FALSE))
}

# A polychoric matrix that is not positive definite: 60 cases, 25 items. lavaan returns NA for the
# robust indices.
small <- bfi_cc[501:560, items25]
fit <- cfa(m_bfi5, data = small, ordered = TRUE, estimator = "WLSMV")
ref$bfi5_small_notpd <- c(list(model = m_bfi5, rows = list(501, 560)), ord_block(fit, comprel = FALSE))
ref$bfi5_small_notpd$min_eigen <- min(eigen(lavInspect(fit, "sampstat")$cov)$values)

ref$versions <- list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                     semTools = as.character(packageVersion("semTools")))
writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = FALSE),
           "tests/reference/cfa_wlsmv.json")
