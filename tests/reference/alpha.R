# Reference figures for analysis/reliability.py and analysis/itemstats.py.
# Run from the repository root: Rscript tests/reference/alpha.R
# Needs: r-cran-psych (2.2.9), r-cran-lavaan (0.6.14), r-cran-gparotation, r-cran-boot,
# r-cran-jsonlite.
suppressPackageStartupMessages({
  library(jsonlite)
  library(psych)
  library(lavaan)
  library(boot)
})
bfi <- read.csv("tests/data/bfi.csv")
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")

scales <- list(
  A = list(items = c("A1", "A2", "A3", "A4", "A5"), reverse = c("A1")),
  C = list(items = c("C1", "C2", "C3", "C4", "C5"), reverse = c("C4", "C5")),
  E = list(items = c("E1", "E2", "E3", "E4", "E5"), reverse = c("E1", "E2")),
  N = list(items = c("N1", "N2", "N3", "N4", "N5"), reverse = character(0)),
  O = list(items = c("O1", "O2", "O3", "O4", "O5"), reverse = c("O2", "O5"))
)

alpha_out <- function(a, n) {
  tot <- a$total
  drop <- a$alpha.drop
  st <- a$item.stats
  list(
    n = n,
    raw_alpha = tot$raw_alpha, std_alpha = tot$std.alpha, g6 = tot[["G6(smc)"]],
    average_r = tot$average_r, signal_noise = tot[["S/N"]], ase = tot$ase,
    mean = tot$mean, sd = tot$sd, median_r = tot$median_r,
    feldt_lower = a$feldt$lower.ci[[1]], feldt_upper = a$feldt$upper.ci[[1]],
    drop_raw_alpha = drop$raw_alpha, drop_std_alpha = drop$std.alpha,
    drop_g6 = drop[["G6(smc)"]], drop_average_r = drop$average_r, drop_med_r = drop$med.r,
    item_n = unname(st$n), raw_r = st$raw.r, std_r = st$std.r, r_cor = st$r.cor,
    r_drop = st$r.drop, item_mean = st$mean, item_sd = st$sd
  )
}
key_items <- function(d, rev) {
  for (v in rev) d[[v]] <- 7 - d[[v]]
  d
}

bfi_out <- list()
for (s in names(scales)) {
  it <- scales[[s]]$items
  rv <- scales[[s]]$reverse
  lw <- na.omit(bfi[, it])
  keys <- if (length(rv)) rv else NULL
  a_lw <- suppressWarnings(alpha(lw, keys = keys))
  a_pw <- suppressWarnings(alpha(bfi[, it], keys = keys))
  kd <- key_items(lw, rv)
  om1 <- suppressWarnings(omega(kd, nfactors = 1, plot = FALSE))
  om_drop <- sapply(seq_along(it), function(i)
    suppressWarnings(omega(kd[, -i], nfactors = 1, plot = FALSE))$omega.tot)
  pr <- lavCor(kd, ordered = it)
  ord_alpha <- suppressWarnings(alpha(pr))$total$std.alpha
  ord_om <- suppressWarnings(omega(pr, nfactors = 1, n.obs = nrow(kd), plot = FALSE))$omega.tot
  bfi_out[[s]] <- list(
    items = it, reverse = rv,
    listwise = alpha_out(a_lw, nrow(lw)),
    pairwise = alpha_out(a_pw, nrow(bfi)),
    omega_total = om1$omega.tot,
    omega_if_deleted = unname(om_drop),
    ordinal_alpha = ord_alpha,
    ordinal_omega = ord_om
  )
}

# Holzinger-Swineford: nine continuous tests in three sub-dimensions.
hs9 <- hs[, paste0("x", 1:9)]
a_hs <- alpha(hs9)
om_hs <- suppressWarnings(omega(hs9, nfactors = 3, plot = FALSE))
a_vis <- alpha(hs[, c("x1", "x2", "x3")])
hs_out <- list(
  all9 = alpha_out(a_hs, nrow(hs9)),
  visual = alpha_out(a_vis, nrow(hs9)),
  omega_h = om_hs$omega_h, omega_total = om_hs$omega.tot,
  omega_total_1f = suppressWarnings(omega(hs9, nfactors = 1, plot = FALSE))$omega.tot
)

# Item descriptives (psych describe, type 3) and response frequencies on all answers.
desc <- describe(bfi[, 1:25])
rf <- response.frequencies(bfi[, 1:25])
desc_out <- list(
  items = names(bfi)[1:25],
  n = desc$n, mean = desc$mean, sd = desc$sd, median = desc$median, min = desc$min,
  max = desc$max, skew = desc$skew, kurtosis = desc$kurtosis,
  freq_categories = colnames(rf), freq = unname(as.matrix(rf))
)

# Bootstrap intervals of raw alpha: replicates from boot(), BCa with jackknife influence values.
set.seed(20240601)
bd <- key_items(na.omit(bfi[, scales$A$items]), "A1")[1:400, ]
alpha_raw <- function(C) { k <- ncol(C); k / (k - 1) * (1 - sum(diag(C)) / sum(C)) }
b <- boot(bd, function(d, i) alpha_raw(cov(d[i, ])), R = 999)
jk <- sapply(seq_len(nrow(bd)), function(i) alpha_raw(cov(bd[-i, ])))
L <- (nrow(bd) - 1) * (mean(jk) - jk)
bci <- boot.ci(b, conf = 0.95, type = c("perc", "bca"), L = L)
boot_out <- list(
  t0 = b$t0, t = as.numeric(b$t), jackknife = jk,
  perc = bci$percent[4:5], bca = bci$bca[4:5],
  perc90 = boot.ci(b, conf = 0.90, type = "perc")$percent[4:5],
  bca90 = boot.ci(b, conf = 0.90, type = "bca", L = L)$bca[4:5]
)

out <- list(
  versions = list(psych = as.character(packageVersion("psych")),
                  lavaan = as.character(packageVersion("lavaan")),
                  boot = as.character(packageVersion("boot"))),
  bfi = bfi_out, hs = hs_out, describe = desc_out, boot = boot_out
)
write_json(out, "tests/reference/alpha.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
cat("wrote tests/reference/alpha.json\n")
