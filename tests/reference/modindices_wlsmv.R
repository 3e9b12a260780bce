# Reference figures for the modification indices of ordinal CFA (analysis/cfa/wls.py,
# analysis/cfa/modindices.py): lavaan 0.6.14 modindices(fit, sort. = TRUE) of cfa(..., ordered = TRUE,
# estimator = "WLSMV") fits.
# Run from the repository root:  Rscript tests/reference/modindices_wlsmv.R
# Writes tests/reference/modindices_wlsmv.json, read by tests/unit/test_cfa_wlsmv_modindices.py.
#
# Data: tests/data/bfi.csv (psych::bfi), complete cases on the 25 items as in cfa_wlsmv.R;
# model: tests/data/bfi_five.lav (the Big Five, five items each).
#   bfi5                  one group
#   bfi5_gender           two groups (gender), configural
#   bfi5_gender_thr_load  two groups, thresholds and loadings equal (lavaan's group.equal; the
#                         scale factors and latent means of the second group are free, so the
#                         intercepts and the marker loadings get indices too)
# and, smaller, for the rows other models add:
#   bfi_higher            a second-order factor over four first-order ones (bfi A, C, E, N items,
#                         lavaan's listwise deletion on these 20): factor covariances as candidates
#   hs_mixed              tests/data/hs_ordinal.csv x4-x9 ordered, x1-x3 the continuous scores
#   hs_mg_theta           hs_ordinal.csv by school, thresholds and loadings equal, theta
#                         parameterization: lavaan lists the scale factors (~*~) of both groups
# Each block: the fit's sizes, its parameter table (to evaluate the indices at lavaan's estimates),
# the modindices() table (the rows lavaan lists: NA indices removed) and the seconds it took.
source("tests/reference/cfa_common.R")

bfi <- read.csv("tests/data/bfi.csv")
items25 <- names(bfi)[1:25]
bfi_cc <- bfi[complete.cases(bfi[, items25]), ]
model <- paste(readLines("tests/data/bfi_five.lav"), collapse = "\n")

mi_block <- function(fit, group = NULL, group_equal = NULL) {
  pt <- parTable(fit)
  t0 <- proc.time()[["elapsed"]]
  mi <- modindices(fit, sort. = TRUE)
  seconds <- proc.time()[["elapsed"]] - t0
  keep <- intersect(c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"),
                    names(mi))
  list(
    group = group,
    group_equal = group_equal,
    converged = lavInspect(fit, "converged"),
    nobs = as.list(lavInspect(fit, "nobs")),
    ntotal = lavInspect(fit, "ntotal"),
    npar = lavInspect(fit, "npar"),
    group_labels = as.list(lavInspect(fit, "group.label")),
    partable = df_cols(pt[, c("lhs", "op", "rhs", "group", "free", "est")]),
    mi = df_cols(mi[, keep]),
    seconds = seconds
  )
}

ref <- list(model_file = "tests/data/bfi_five.lav", items = items25)

fit <- cfa(model, data = bfi_cc[, items25], ordered = TRUE, estimator = "WLSMV")
ref$bfi5 <- mi_block(fit)

dat <- bfi_cc[, c(items25, "gender")]
fit <- cfa(model, data = dat, ordered = TRUE, estimator = "WLSMV", group = "gender")
ref$bfi5_gender <- mi_block(fit, group = "gender")

ge <- c("thresholds", "loadings")
fit <- cfa(model, data = dat, ordered = TRUE, estimator = "WLSMV", group = "gender", group.equal = ge)
ref$bfi5_gender_thr_load <- mi_block(fit, group = "gender", group_equal = ge)

hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
hso <- read.csv("tests/data/hs_ordinal.csv")
hs9 <- paste0("x", 1:9)
m_hs <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
m_higher <- paste(
  "A =~ A1 + A2 + A3 + A4 + A5",
  "C =~ C1 + C2 + C3 + C4 + C5",
  "E =~ E1 + E2 + E3 + E4 + E5",
  "N =~ N1 + N2 + N3 + N4 + N5",
  "g =~ A + C + E + N",
  sep = "\n"
)
items20 <- paste0(rep(c("A", "C", "E", "N"), each = 5), 1:5)
fit <- cfa(m_higher, data = bfi[, items20], ordered = TRUE, estimator = "WLSMV")
ref$bfi_higher <- c(list(model = m_higher, items = items20), mi_block(fit))

hsm <- data.frame(x1 = hs$x1, x2 = hs$x2, x3 = hs$x3, hso[, paste0("x", 4:9)])
fit <- cfa(m_hs, data = hsm, ordered = paste0("x", 4:9), estimator = "WLSMV")
ref$hs_mixed <- c(list(model = m_hs, ordered = paste0("x", 4:9)), mi_block(fit))

fit <- cfa(m_hs, data = hso, ordered = hs9, estimator = "WLSMV", group = "school", group.equal = ge,
           parameterization = "theta")
ref$hs_mg_theta <- c(list(model = m_hs, parameterization = "theta"),
                     mi_block(fit, group = "school", group_equal = ge))

write_ref(ref, "tests/reference/modindices_wlsmv.json")
