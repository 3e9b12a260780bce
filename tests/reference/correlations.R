# Reference figures for analysis/correlations.py (Pearson and Spearman matrices, pairwise n).
# Run from the repository root: Rscript tests/reference/correlations.R
# Needs: r-base-core, r-cran-jsonlite, r-cran-psych (cor.smooth).
suppressPackageStartupMessages({
  library(jsonlite)
  library(psych)
})
bfi <- read.csv("tests/data/bfi.csv")
x <- bfi[, c(1:25, 28)]  # the 25 items and age
ok <- !is.na(x)
m <- function(a) unname(as.matrix(a))

# A pairwise Pearson matrix that is not positive definite, and psych's smoothing of it.
np <- data.frame(
  a = c(1, 2, 3, 4, 5, NA, NA, NA, 2, 4),
  b = c(1, 2, 3, 4, 5, 1, 2, 3, NA, NA),
  c = c(NA, NA, NA, NA, 1, 5, 4, 3, 2, 4)
)
r_np <- cor(np, use = "pairwise.complete.obs")

out <- list(
  items = names(x),
  pearson_pairwise = m(cor(x, use = "pairwise.complete.obs")),
  spearman_pairwise = m(cor(x, use = "pairwise.complete.obs", method = "spearman")),
  pearson_listwise = m(cor(x, use = "complete.obs")),
  spearman_listwise = m(cor(x, use = "complete.obs", method = "spearman")),
  n_pairwise = m(crossprod(ok)),
  n_listwise = sum(complete.cases(x)),
  nonpd = list(
    data = as.list(np),
    pearson = m(r_np),
    min_eigen = min(eigen(r_np)$values),
    smoothed = m(suppressWarnings(cor.smooth(r_np)))
  )
)
write_json(out, "tests/reference/correlations.json", digits = NA, auto_unbox = TRUE, na = "null")
cat("wrote tests/reference/correlations.json\n")
