# Reference figures for analysis/validity.py (composite reliability, AVE, Fornell-Larcker, HTMT).
# Run from the repository root: Rscript tests/reference/validity.R
# Needs: lavaan 0.6.14, semTools 0.5.6, jsonlite (r-cran-lavaan, r-cran-semtools, r-cran-jsonlite).
#
# For every model we store lavaan's own estimates (unstandardised loadings, factor covariance,
# sample and model-implied covariance) beside semTools' compRelSEM()/AVE() so the Python formulas can
# be checked independently of moscale's CFA engine, plus the fit and standardised solution for the
# end-to-end tests through moscale's cfa().
suppressPackageStartupMessages({
  library(jsonlite)
  library(lavaan)
  library(semTools)
})
stopifnot(packageVersion("semTools") == "0.5.6")

mat <- function(m) {
  m <- unclass(m)
  list(rows = rownames(m), cols = colnames(m), values = unname(as.matrix(m)))
}
vec <- function(v) as.list(setNames(as.numeric(v), names(v)))

cfa_block <- function(model, data) {
  fit <- cfa(model, data = data)
  est <- lavInspect(fit, "est")
  std <- lavInspect(fit, "std")
  list(
    model = model,
    n = lavInspect(fit, "nobs"),
    lambda = mat(est$lambda),
    psi = mat(est$psi),
    theta = mat(est$theta),
    sample_cov = mat(lavInspect(fit, "sampstat")$cov),
    implied_cov = mat(lavInspect(fit, "fitted")$cov),
    std_lambda = mat(std$lambda),
    cor_lv = mat(lavInspect(fit, "cor.lv")),
    std_lv_cov = (function(s) {
      s <- s[s$op == "~~" & s$lhs != s$rhs & s$lhs %in% lavNames(fit, "lv"), ]
      list(lhs = s$lhs, rhs = s$rhs, est = s$est.std, se = s$se, pvalue = s$pvalue)
    })(standardizedSolution(fit)),
    fit = vec(fitMeasures(fit, c("chisq", "df", "cfi", "rmsea", "srmr"))),
    comprel = vec(compRelSEM(fit)),
    comprel_implied = vec(compRelSEM(fit, obs.var = FALSE)),
    comprel_taueq = vec(compRelSEM(fit, tau.eq = TRUE)),
    ave = vec(AVE(fit)),
    ave_implied = vec(AVE(fit, obs.var = FALSE))
  )
}

htmt_block <- function(model, data) {
  list(
    htmt = mat(htmt(model, data, htmt2 = FALSE)),
    htmt2 = mat(htmt(model, data, htmt2 = TRUE)),
    htmt_signed = mat(htmt(model, data, htmt2 = FALSE, absolute = FALSE))
  )
}

# Holzinger & Swineford (1939), the three-factor model of lavaan's documentation.
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
hs_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
# A cross-loading (x9 on visual) and a residual covariance: compRelSEM counts only the factor's own
# common variance; AVE is NA for factors with a cross-loading indicator.
hs_model_x <- "visual =~ x1 + x2 + x3 + x9
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
x2 ~~ x3"

# psych::bfi, complete cases on the 25 items; reverse-keyed items reversed as 7 - x.
bfi_raw <- read.csv("tests/data/bfi.csv")
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
bfi_raw <- bfi_raw[complete.cases(bfi_raw[, items]), items]
rev_items <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi_rev <- bfi_raw
bfi_rev[, rev_items] <- 7 - bfi_rev[, rev_items]
bfi_model <- "agree =~ A1 + A2 + A3 + A4 + A5
consc =~ C1 + C2 + C3 + C4 + C5
extra =~ E1 + E2 + E3 + E4 + E5
neuro =~ N1 + N2 + N3 + N4 + N5
open =~ O1 + O2 + O3 + O4 + O5"

out <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                  semTools = as.character(packageVersion("semTools"))),
  hs = c(cfa_block(hs_model, hs), htmt_block(hs_model, hs)),
  hs_cross = cfa_block(hs_model_x, hs),
  bfi = c(list(n_complete = nrow(bfi_rev), reversed = rev_items),
          cfa_block(bfi_model, bfi_rev), htmt_block(bfi_model, bfi_rev)),
  bfi_unreversed = c(cfa_block(bfi_model, bfi_raw), htmt_block(bfi_model, bfi_raw))
)
# The full bfi file with its missing values: htmt() deletes listwise over the model's items only.
bfi_all <- read.csv("tests/data/bfi.csv")
bfi_all[, rev_items] <- 7 - bfi_all[, rev_items]
out$bfi_missing <- htmt_block(bfi_model, bfi_all)
# Ordinal items: polychoric correlations (lavCor(ordered = ...), listwise).
out$bfi_ordered <- list(
  htmt = mat(htmt(bfi_model, bfi_rev, ordered = items, htmt2 = FALSE)),
  htmt2 = mat(htmt(bfi_model, bfi_rev, ordered = items, htmt2 = TRUE))
)

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/validity.json")
