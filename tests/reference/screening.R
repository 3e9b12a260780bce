# Reference figures for moscale.analysis.screening (careless-responding indices).
# Run from the repository root: Rscript tests/reference/screening.R
#
# The R package careless is not in Debian, so the indices are computed here from careless 1.2's
# published definitions, written out in base R (each line says which definition), plus
# psych::outlier, the function careless::mahad calls for Mahalanobis D².
suppressPackageStartupMessages({
  library(psych)
  library(jsonlite)
})
bfi <- read.csv("tests/data/bfi.csv")
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
x <- as.matrix(bfi[1:300, items])
rev_items <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
keyed <- x
keyed[, rev_items] <- 7 - keyed[, rev_items]   # 6-point items: min + max - x = 7 - x

# longstring (careless::longstring, avg = TRUE): run lengths of rle() on each row
runs <- apply(x, 1, function(r) rle(r)$lengths)
runs <- if (is.list(runs)) runs else lapply(seq_len(ncol(runs)), function(i) runs[, i])
longstr <- sapply(runs, max)
avgstr <- sapply(runs, mean)

# IRV (careless::irv, na.rm = TRUE; split into 3 chunks by cut(seq_along(x), 3))
irv_total <- apply(x, 1, sd, na.rm = TRUE)
chunk <- cut(seq_len(ncol(x)), 3, labels = FALSE)
irv_split <- sapply(1:3, function(k) apply(x[, chunk == k, drop = FALSE], 1, sd, na.rm = TRUE))

# Mahalanobis D² (careless::mahad -> psych::outlier)
d2 <- as.numeric(psych::outlier(x, plot = FALSE, bad = 0))
cut999 <- qchisq(0.999, ncol(x))

# even-odd (careless 1.2.1 evenodd, factors = rep(5, 5)) on the keyed answers
factors <- rep(5, 5)
eo <- apply(keyed, 1, function(r) {
  f <- matrix(NA, length(factors), 2)
  start <- 1
  for (j in seq_along(factors)) {
    s <- r[start:(start + factors[j] - 1)]
    start <- start + factors[j]
    pos <- seq_along(s)
    f[j, 1] <- mean(s[pos %% 2 == 0], na.rm = TRUE)
    f[j, 2] <- mean(s[pos %% 2 == 1], na.rm = TRUE)
  }
  v <- suppressWarnings(cor(f[, 1], f[, 2], use = "pairwise.complete.obs"))
  v <- 2 * v / (1 + v)
  if (!is.na(v) && v < -1) v <- -1
  -v
})

# psychometric synonyms (keyed, critval .50) and antonyms (as given, critval -.40):
# pairs from the lower triangle of cor(use = "pairwise"), listed column by column; per person the
# correlation between the pairs' first (row) and second (column) items, needing > 2 pairs.
pair_index <- function(m, critval, anto) {
  r <- cor(m, use = "pairwise.complete.obs")
  r[upper.tri(r, diag = TRUE)] <- NA
  tab <- as.data.frame(as.table(r))
  sel <- if (anto) which(tab$Freq < -abs(critval)) else which(tab$Freq > abs(critval))
  cbind(match(tab$Var1[sel], colnames(m)), match(tab$Var2[sel], colnames(m)))
}
person_cor <- function(m, pairs) {
  t(apply(m, 1, function(r) {
    a <- r[pairs[, 1]]; b <- r[pairs[, 2]]
    ok <- !(is.na(a) | is.na(b))
    v <- if (sum(ok) > 2) suppressWarnings(cor(a[ok], b[ok])) else NA
    c(sum(ok), v)
  }))
}
syn_pairs <- pair_index(keyed, 0.50, FALSE)
syn <- person_cor(keyed, syn_pairs)
ant_pairs <- pair_index(x, 0.40, TRUE)
ant <- person_cor(x, ant_pairs)

out <- list(
  source = "careless 1.2 definitions in base R; psych 2.2.9 outlier; R 4.2; bfi rows 1-300",
  rows = 300, items = items, reverse = rev_items,
  longstr = longstr, avgstr = avgstr,
  irv = irv_total, irv_split = unname(as.data.frame(irv_split)), irv_chunk = chunk,
  d2 = d2, cut999 = cut999,
  evenodd = eo,
  syn_pairs = unname(as.data.frame(cbind(items[syn_pairs[, 1]], items[syn_pairs[, 2]]))),
  syn_n = syn[, 1], syn = syn[, 2],
  ant_pairs = unname(as.data.frame(cbind(items[ant_pairs[, 1]], items[ant_pairs[, 2]]))),
  ant_n = ant[, 1], ant = ant[, 2]
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null"), "tests/reference/screening.json")
