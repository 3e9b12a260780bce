# Reference figures for analysis/polychoric.py (polychoric, polyserial, smoothing).
# Run from the repository root: Rscript tests/reference/polychoric.R
# Needs: r-cran-psych (2.2.9), r-cran-lavaan (0.6.14), r-cran-jsonlite.
suppressPackageStartupMessages({
  library(jsonlite)
  library(psych)
  library(lavaan)
})
bfi <- read.csv("tests/data/bfi.csv")
items <- bfi[, 1:25]
nm <- names(items)

lav_th <- function(d, ordered) {
  fit <- lavCor(d, ordered = ordered, output = "fit")
  th <- lavInspect(fit, "sampstat")$th
  list(names = names(th), values = unname(as.numeric(th)))
}
mat <- function(m) unname(as.matrix(m))

# 1. bfi, 25 items: lavaan listwise and pairwise; psych (pairwise, global thresholds).
lav_lw <- lavCor(items, ordered = nm)
lav_pw <- lavCor(items, ordered = nm, missing = "pairwise")
ps <- polychoric(items)
ps_lw <- polychoric(na.omit(items))
bfi_out <- list(
  items = nm,
  n_listwise = nrow(na.omit(items)),
  lavaan_listwise = mat(lav_lw),
  lavaan_listwise_th = lav_th(items, nm),
  lavaan_pairwise = mat(lav_pw),
  psych_pairwise = mat(ps$rho),
  psych_pairwise_tau = mat(ps$tau),
  psych_listwise = mat(ps_lw$rho)
)

# 2. A small, sparse sample with empty cells; A2 never reaches 6, so psych estimates thresholds
#    per pair and applies its correction for continuity (global = FALSE).
sp <- na.omit(bfi[1:150, c("A1", "A2", "A3", "C4", "C5", "E1")])
sp$A2[sp$A2 == 6] <- 5
sp_nm <- names(sp)
# psych's polychoric() itself stops on this sample ("lower>upper integration limits": after its
# correction the margins of A2 x A1 sum past 1). Its per-pair routine, called exactly as
# polychoric() calls it when global = FALSE, gives every other pair; the failing pair is NA.
psych_pairs <- function(d, correct) {
  x <- as.matrix(d)
  gmax <- max(x)
  r <- diag(ncol(x))
  for (i in 2:ncol(x)) for (j in 1:(i - 1)) {
    v <- try(suppressWarnings(psych:::polyc(x[, i], x[, j], NULL, NULL, global = FALSE,
      correct = correct, gminx = 1, gmaxx = gmax, gminy = 1, gmaxy = gmax)), silent = TRUE)
    r[i, j] <- r[j, i] <- if (inherits(v, "try-error")) NA else v$rho
  }
  r
}
ps_sp_fails <- inherits(try(suppressWarnings(polychoric(sp)), silent = TRUE), "try-error")
ps_sp <- list(rho = psych_pairs(sp, 0.5))
ps_sp0 <- list(rho = psych_pairs(sp, 0))
lav_sp <- lavCor(sp, ordered = sp_nm)
sparse_out <- list(
  items = sp_nm,
  data = lapply(as.list(sp), as.integer),
  psych_polychoric_fails = ps_sp_fails,
  psych_correct_05 = mat(ps_sp$rho),
  psych_correct_0 = mat(ps_sp0$rho),
  lavaan = mat(lav_sp),
  lavaan_th = lav_th(sp, sp_nm)
)

# 3. Binary items with one empty cell in a 2x2 table (lavaan adds 0.5, keeping the margins).
bin <- data.frame(
  b1 = c(rep(0, 30), rep(1, 20), rep(0, 10), rep(1, 15)),
  b2 = c(rep(0, 20), rep(1, 10), rep(1, 20), rep(0, 10), rep(1, 15)),
  b3 = c(rep(c(0, 1, 1), 25))
)
lav_bin <- lavCor(bin, ordered = names(bin))
binary_out <- list(
  items = names(bin),
  data = lapply(as.list(bin), as.integer),
  lavaan = mat(lav_bin),
  table_b1_b2 = matrix(as.integer(table(bin$b1, bin$b2)), 2, 2)
)

# 4. Polyserial: age (continuous) with the five A items; listwise.
#    lavaan leaves out of the likelihood every respondent whose joint density
#    dnorm(x; mean, sd) * P(y | x) falls below sqrt(.Machine$double.eps) (lav_bvmix_lik_cache), a
#    rule that depends on the unit of x and hits outliers: the one 86-year-old drops out of some
#    pairs. Among respondents aged 60 or less nobody is dropped and lavaan's figures are the
#    two-step ML estimates; the full-sample figures are kept to document the difference.
ag_all <- na.omit(bfi[, c("A1", "A2", "A3", "A4", "A5", "age")])
ag <- ag_all[ag_all$age <= 60, ]
ord <- c("A1", "A2", "A3", "A4", "A5")
lav_ag <- suppressWarnings(lavCor(ag, ordered = ord))
lav_all <- suppressWarnings(lavCor(ag_all, ordered = ord))
ps_ag <- polyserial(ag[, "age", drop = FALSE], ag[, 1:5])
polyserial_out <- list(
  items = names(ag),
  n = nrow(ag),
  subset = "age <= 60",
  lavaan = mat(lav_ag),
  lavaan_all_ages = mat(lav_all),
  n_all_ages = nrow(ag_all),
  psych_age = as.numeric(ps_ag)
)

# 5. psych's cor.smooth on a matrix that is not positive definite.
m <- matrix(c(
  1.0, 0.9, 0.7, 0.1,
  0.9, 1.0, 0.1, 0.6,
  0.7, 0.1, 1.0, 0.5,
  0.1, 0.6, 0.5, 1.0
), 4, 4)
smooth_out <- list(
  input = m,
  min_eigen = min(eigen(m)$values),
  smoothed = mat(suppressWarnings(cor.smooth(m)))
)

out <- list(
  versions = list(psych = as.character(packageVersion("psych")),
                  lavaan = as.character(packageVersion("lavaan"))),
  bfi = bfi_out, sparse = sparse_out, binary = binary_out,
  polyserial = polyserial_out, smooth = smooth_out
)
write_json(out, "tests/reference/polychoric.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
cat("wrote tests/reference/polychoric.json\n")
