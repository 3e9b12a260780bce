# Reference figures for analysis/cmv.py (common-method-variance checks).
# Run from the repository root: Rscript tests/reference/cmv.R
# Needs: lavaan 0.6.14, psych 2.2.9, jsonlite (r-cran-lavaan, r-cran-psych, r-cran-jsonlite).
#
# 1. Harman's single-factor test: share of the total (standardised) variance taken by the first
#    unrotated factor, (a) principal components (psych::principal, rotate = "none"; the SPSS
#    "extraction: principal components, unrotated" figure most papers report) and (b) one principal-
#    axis factor (psych::fa, fm = "pa", rotate = "none").
# 2. Unmeasured latent method construct (single common method factor): trait CFA vs trait + one
#    method factor on which every item loads, uncorrelated with the traits (std.lv = TRUE).
# 3. Marker variable: Lindell & Whitney (2001) correlational adjustment on unit-weighted scale means,
#    computed here by hand from its formula, and the CFA marker technique of Williams, Hartman &
#    Cavazotte (2010): CFA -> baseline -> method-C -> method-U -> method-R, fitted with lavaan.
suppressPackageStartupMessages({
  library(jsonlite)
  library(lavaan)
  library(psych)
})

vec <- function(v) as.list(setNames(as.numeric(v), names(v)))
fits <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr")
num <- function(x) sprintf("%.17g", x)

harman <- function(x) {
  pc <- principal(x, nfactors = 1, rotate = "none")
  pa <- fa(x, nfactors = 1, fm = "pa", rotate = "none", warnings = FALSE)
  ev <- eigen(cor(x, use = "pairwise"), symmetric = TRUE, only.values = TRUE)$values
  list(
    pca_share = pc$Vaccounted["Proportion Var", 1],
    pca_loadings = vec(pc$loadings[, 1]),
    eigenvalues = ev,
    n_eigen_gt1 = sum(ev > 1),
    pa_share = pa$Vaccounted["Proportion Var", 1],
    pa_loadings = vec(pa$loadings[, 1]),
    pa_communality = vec(pa$communality)
  )
}

std_loadings <- function(fit) {
  s <- standardizedSolution(fit)
  s <- s[s$op == "=~", ]
  list(lhs = s$lhs, rhs = s$rhs, est = s$est.std)
}

method_factor <- function(model, data, items) {
  trait <- cfa(model, data = data, std.lv = TRUE)
  facs <- lavNames(trait, "lv")
  mmodel <- paste0(model, "\nCMV =~ ", paste(items, collapse = " + "), "\n",
                   paste0("CMV ~~ 0*", facs, collapse = "\n"))
  meth <- cfa(mmodel, data = data, std.lv = TRUE)
  # the same with one common method loading for every item (equal-effects variant)
  emodel <- paste0(model, "\nCMV =~ ", paste0("m*", items, collapse = " + "), "\n",
                   paste0("CMV ~~ 0*", facs, collapse = "\n"))
  meq <- cfa(emodel, data = data, std.lv = TRUE)
  lrt <- function(a, b) as.list(anova(a, b)[2, c("Chisq diff", "Df diff", "Pr(>Chisq)")])
  list(
    method_model = mmodel,
    trait = c(vec(fitMeasures(trait, fits)), list(std = std_loadings(trait))),
    method = c(vec(fitMeasures(meth, fits)), list(std = std_loadings(meth)),
               list(theta_min = min(diag(lavInspect(meth, "est")$theta)))),
    lrt = lrt(trait, meth),
    equal = c(vec(fitMeasures(meq, fits)), list(std = std_loadings(meq))),
    lrt_equal = lrt(trait, meq)
  )
}

# Williams, Hartman & Cavazotte (2010) with every factor's variance fixed at 1.
marker_cfa <- function(subst, marker_items, data) {
  facs <- names(subst)
  sub_lines <- paste0(facs, " =~ ", sapply(subst, paste, collapse = " + "))
  all_items <- unlist(subst)
  cfa_model <- paste(c(sub_lines, paste0("M =~ ", paste(marker_items, collapse = " + "))),
                     collapse = "\n")
  f0 <- cfa(cfa_model, data = data, std.lv = TRUE)
  pe <- parameterEstimates(f0)
  lam <- pe$est[pe$op == "=~" & pe$lhs == "M"]
  th <- sapply(marker_items, function(v) pe$est[pe$op == "~~" & pe$lhs == v & pe$rhs == v])
  fixed_marker <- c(
    paste0("M =~ ", paste0(num(lam), "*", marker_items, collapse = " + ")),
    paste0(marker_items, " ~~ ", num(th), "*", marker_items),
    paste0("M ~~ 0*", facs)
  )
  base_model <- paste(c(sub_lines, fixed_marker), collapse = "\n")
  base <- cfa(base_model, data = data, std.lv = TRUE)
  c_model <- paste(c(base_model, paste0("M =~ ", paste0("mc*", all_items, collapse = " + "))),
                   collapse = "\n")
  u_model <- paste(c(base_model, paste0("M =~ ", paste(all_items, collapse = " + "))),
                   collapse = "\n")
  mc <- cfa(c_model, data = data, std.lv = TRUE)
  mu <- cfa(u_model, data = data, std.lv = TRUE)
  cu <- anova(mc, mu)
  better_u <- cu[2, "Pr(>Chisq)"] < .05
  pb <- parameterEstimates(base)
  pairs <- combn(facs, 2)
  fix_r <- apply(pairs, 2, function(p) {
    r <- pb$est[pb$op == "~~" & pb$lhs == p[1] & pb$rhs == p[2]]
    paste0(p[1], " ~~ ", num(r), "*", p[2])
  })
  r_model <- paste(c(if (better_u) u_model else c_model, fix_r), collapse = "\n")
  mr <- cfa(r_model, data = data, std.lv = TRUE)
  pc <- parameterEstimates(mc)
  fm <- function(f) vec(fitMeasures(f, fits))
  lrt <- function(a, b) as.list(anova(a, b)[2, c("Chisq diff", "Df diff", "Pr(>Chisq)")])
  cor_lv <- function(f) {
    pe <- parameterEstimates(f)
    apply(pairs, 2, function(p) pe$est[pe$op == "~~" & pe$lhs == p[1] & pe$rhs == p[2]])
  }
  list(
    cfa = c(fm(f0), list(marker_loadings = lam, marker_residuals = unname(th))),
    baseline = c(fm(base), list(cor = cor_lv(base))),
    method_c = c(fm(mc), list(cor = cor_lv(mc), loading = pc$est[pc$label == "mc"][1])),
    method_u = c(fm(mu), list(cor = cor_lv(mu))),
    method_r = c(fm(mr), list(based_on = if (better_u) "method_u" else "method_c")),
    baseline_vs_c = lrt(base, mc),
    c_vs_u = lrt(mc, mu),
    r_test = lrt(if (better_u) mu else mc, mr),
    std_u = std_loadings(mu)
  )
}

# Lindell & Whitney (2001): r_A = (r - r_M) / (1 - r_M), t = r_A / sqrt((1 - r_A^2) / (N - 3)).
lindell_whitney <- function(scores, marker) {
  r <- cor(scores)
  rm_all <- r[marker, setdiff(colnames(r), marker)]
  pos <- sort(rm_all[rm_all > 0])
  rm <- pos[1]
  rm2 <- pos[2]
  subs <- setdiff(colnames(r), marker)
  adj <- function(rm) {
    out <- list()
    for (i in seq_along(subs)) for (j in seq_along(subs)) if (i < j) {
      a <- (r[subs[i], subs[j]] - rm) / (1 - rm)
      n <- nrow(scores)
      t <- a / sqrt((1 - a^2) / (n - 3))
      out[[length(out) + 1]] <- list(x = subs[i], y = subs[j], r = r[subs[i], subs[j]],
                                     r_adj = a, t = t, p = 2 * pt(-abs(t), n - 3))
    }
    out
  }
  list(n = nrow(scores), r_marker = vec(rm_all), r_m = unname(rm), r_m2 = unname(rm2),
       smallest = adj(rm), second = adj(rm2))
}

hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
hs_items <- paste0("x", 1:9)
hs_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"

bfi_raw <- read.csv("tests/data/bfi.csv")
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
rev_items <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi_all <- bfi_raw[, items]
bfi_all[, rev_items] <- 7 - bfi_all[, rev_items]
bfi <- bfi_all[complete.cases(bfi_all), ]
bfi_model <- "agree =~ A1 + A2 + A3 + A4 + A5
consc =~ C1 + C2 + C3 + C4 + C5
extra =~ E1 + E2 + E3 + E4 + E5
neuro =~ N1 + N2 + N3 + N4 + N5
open =~ O1 + O2 + O3 + O4 + O5"

# Marker study on HS: visual and textual are the substantive factors, speed (x7-x9) plays the marker.
hs_scores <- data.frame(visual = rowMeans(hs[, c("x1", "x2", "x3")]),
                        textual = rowMeans(hs[, c("x4", "x5", "x6")]),
                        speed = rowMeans(hs[, c("x7", "x8", "x9")]))
# Marker study on bfi: agreeableness, conscientiousness, extraversion substantive; openness the marker.
bfi_scores <- data.frame(agree = rowMeans(bfi[, paste0("A", 1:5)]),
                         consc = rowMeans(bfi[, paste0("C", 1:5)]),
                         extra = rowMeans(bfi[, paste0("E", 1:5)]),
                         open = rowMeans(bfi[, paste0("O", 1:5)]))

# Robust (MLR) version: lavaan's anova() then uses the Satorra-Bentler (2001) scaled difference.
method_factor_mlr <- function(model, data, items) {
  trait <- cfa(model, data = data, std.lv = TRUE, estimator = "MLR")
  facs <- lavNames(trait, "lv")
  mmodel <- paste0(model, "\nCMV =~ ", paste(items, collapse = " + "), "\n",
                   paste0("CMV ~~ 0*", facs, collapse = "\n"))
  meth <- cfa(mmodel, data = data, std.lv = TRUE, estimator = "MLR")
  rf <- c(fits, "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust")
  a <- lavTestLRT(trait, meth)
  list(trait = vec(fitMeasures(trait, rf)), method = vec(fitMeasures(meth, rf)),
       lrt = as.list(a[2, c("Chisq diff", "Df diff", "Pr(>Chisq)")]),
       lrt_method = attr(a, "heading"))
}

out <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                  psych = as.character(packageVersion("psych"))),
  harman = list(hs = harman(hs[, hs_items]), bfi = harman(bfi),
                bfi_pairwise = harman(bfi_all)),
  method_factor = list(hs = method_factor(hs_model, hs, hs_items),
                       bfi = method_factor(bfi_model, bfi, items),
                       bfi_mlr = method_factor_mlr(bfi_model, bfi, items)),
  lindell_whitney = list(hs = lindell_whitney(hs_scores, "speed"),
                         bfi = lindell_whitney(bfi_scores, "open")),
  marker_cfa = list(
    hs = marker_cfa(list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6")),
                    c("x7", "x8", "x9"), hs),
    bfi = marker_cfa(list(agree = paste0("A", 1:5), consc = paste0("C", 1:5),
                          extra = paste0("E", 1:5)), paste0("O", 1:5), bfi)
  )
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/cmv.json")
