# Reference figures for moscale's omega (Schmid-Leiman omega_h, omega_total, omega.lim) and the
# one-factor omega total.
# Run from the repository root: Rscript tests/reference/omega.R   (writes tests/reference/omega.json)
# Needs: psych (2.2.9 used), GPArotation, jsonlite.
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(jsonlite)
})
bfi <- read.csv("tests/data/bfi.csv")[, 1:25]
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")[, paste0("x", 1:9)]
mat <- function(m) { if (is.null(m)) return(NULL); m <- as.matrix(m); unname(lapply(seq_len(nrow(m)), function(i) as.numeric(m[i, ]))) }

one <- function(x, nf, ...) {
  o <- suppressMessages(suppressWarnings(omega(x, nfactors = nf, plot = FALSE, ...)))
  sl <- o$schmid$sl
  list(
    nfactors = nf,
    omega_h = o$omega_h, omega_lim = o$omega.lim, omega_tot = o$omega.tot,
    alpha = o$alpha, g6 = o$G6, ecv = as.numeric(o$ECV),
    sl = mat(unclass(sl)), sl_cols = colnames(sl),
    gloading = as.numeric(o$schmid$gloading), phi = mat(o$schmid$phi),
    oblique = mat(unclass(o$schmid$oblique)),
    key = as.numeric(o$key),
    group = mat(as.matrix(o$omega.group)), group_rows = rownames(o$omega.group)
  )
}
pick <- function(cols) bfi[, cols]
ac <- pick(c(paste0("A", 1:5), paste0("C", 1:5)))
out <- list(
  versions = list(psych = as.character(packageVersion("psych")),
                  GPArotation = as.character(packageVersion("GPArotation"))),
  bfi25_5 = one(bfi, 5),
  bfi25_3 = one(bfi, 3),
  bfi_ac_2_equal = one(ac, 2),
  bfi_ac_2_first = one(ac, 2, option = "first"),
  bfi_ac_2_second = one(ac, 2, option = "second"),
  hs_3 = one(hs, 3),
  hs_3_ml = one(hs, 3, fm = "ml"),
  hs_3_matrix = one(cor(hs), 3, n.obs = nrow(hs)),
  bfi_A_1 = one(pick(paste0("A", 1:5)), 1),
  bfi_N_1 = one(pick(paste0("N", 1:5)), 1),
  hs_visual_1 = one(hs[, 1:3], 1)
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           "tests/reference/omega.json")

# The model-based one-factor omega (McDonald 1999): (sum l)^2 / ((sum l)^2 + sum(1 - l^2)) from
# psych's one-factor minres loadings, items with negative loadings reversed.
om_model <- function(x) {
  l <- as.numeric(fa(x, 1, warnings = FALSE)$loadings)
  l <- abs(l)
  sum(l)^2 / (sum(l)^2 + sum(1 - l^2))
}
out$omega_model <- list(bfi_A = om_model(pick(paste0("A", 1:5))),
                        bfi_N = om_model(pick(paste0("N", 1:5))),
                        hs_visual = om_model(hs[, 1:3]))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           "tests/reference/omega.json")
