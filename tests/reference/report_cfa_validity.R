# Reference figures for the report's CFA and validity sections (analysis/sections/cfa.py and
# analysis/sections/validity.py): every figure the two sections print for psych::bfi with the
# five-factor model, continuous (MLR) and ordinal (WLSMV), as lavaan, semTools and psych give them.
# Run from the repository root: Rscript tests/reference/report_cfa_validity.R
#   -> tests/reference/report_cfa_validity.json
# Needs: lavaan 0.6.14, semTools 0.5.6, psych, jsonlite.
suppressPackageStartupMessages({
  library(jsonlite)
  library(lavaan)
  library(semTools)
  library(psych)
})
stopifnot(packageVersion("lavaan") == "0.6.14", packageVersion("semTools") == "0.5.6")

mat <- function(m) {
  m <- unclass(m)
  list(rows = rownames(m), cols = colnames(m), values = unname(as.matrix(m)))
}
vec <- function(v) as.list(setNames(as.numeric(v), names(v)))

# tests/data/bfi.csv as is: reverse-keyed items keep their raw coding (negative loadings), as the
# model file tests/data/bfi_five.lav says; lavaan deletes incomplete rows (listwise).
bfi <- read.csv("tests/data/bfi.csv")
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
model <- "A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
O =~ O1 + O2 + O3 + O4 + O5"
complete <- bfi[complete.cases(bfi[, items]), items]

section_block <- function(fit, ordered) {
  ss <- standardizedSolution(fit)
  ld <- ss[ss$op == "=~", ]
  lv <- ss[ss$op == "~~" & ss$lhs != ss$rhs & ss$lhs %in% lavNames(fit, "lv"), ]
  res <- resid(fit, type = "cor")$cov
  iu <- which(upper.tri(res), arr.ind = TRUE)
  rr <- data.frame(item1 = rownames(res)[iu[, 1]], item2 = colnames(res)[iu[, 2]], r = res[iu])
  rr <- rr[abs(rr$r) > 0.10, ]
  rr <- rr[order(-abs(rr$r)), ]
  out <- list(
    n = lavInspect(fit, "nobs"),
    npar = lavInspect(fit, "npar"),
    fit = vec(fitMeasures(fit)),
    loadings = list(factor = ld$lhs, item = ld$rhs, std = ld$est.std, se = ld$se, z = ld$z,
                    pvalue = ld$pvalue),
    r2 = vec(lavInspect(fit, "r2")),
    cor_lv = mat(lavInspect(fit, "cor.lv")),
    cor_lv_tests = list(factor1 = lv$lhs, factor2 = lv$rhs, r = lv$est.std, pvalue = lv$pvalue),
    comprel = vec(compRelSEM(fit)),
    ave = vec(AVE(fit)),
    residuals = list(item1 = rr$item1, item2 = rr$item2, r = rr$r)
  )
  if (!ordered) {
    mi <- modindices(fit, sort. = TRUE, minimum.value = 10)
    mi <- head(mi, 10)
    out$mi <- list(lhs = mi$lhs, op = mi$op, rhs = mi$rhs, mi = mi$mi, epc = mi$epc,
                   sepc.all = mi$sepc.all)
  }
  out
}

mlr <- cfa(model, data = bfi, estimator = "MLR")
wlsmv <- cfa(model, data = bfi, ordered = items, estimator = "WLSMV")

# HTMT (Henseler et al., 2015; htmt2 = FALSE), Pearson and polychoric, listwise over the items.
htmt_pearson <- htmt(model, data = bfi, htmt2 = FALSE)
htmt_poly <- htmt(model, data = bfi, ordered = items, htmt2 = FALSE)

# Harman: one unrotated principal component of all items (psych::principal), complete cases.
pc <- principal(complete, nfactors = 1, rotate = "none")
ev <- eigen(cor(complete), only.values = TRUE)$values

# Single common method factor (std.lv = TRUE for both models), MLR: Satorra-Bentler (2001) scaled
# difference test as lavTestLRT() does for robust tests.
cmv_model <- paste0(model, "\nCMV =~ ", paste(items, collapse = " + "), "\n",
                    paste0("CMV ~~ 0*", c("A", "C", "E", "N", "O"), collapse = "\n"))
trait <- cfa(model, data = bfi, estimator = "MLR", std.lv = TRUE)
meth <- cfa(cmv_model, data = bfi, estimator = "MLR", std.lv = TRUE)
lrt <- lavTestLRT(trait, meth)
fm_t <- fitMeasures(trait, c("cfi", "cfi.robust", "rmsea.robust", "chisq.scaled"))
fm_m <- fitMeasures(meth, c("cfi", "cfi.robust", "rmsea.robust", "chisq.scaled"))
sm <- standardizedSolution(meth)
mload <- sm[sm$op == "=~" & sm$lhs == "CMV", "est.std"]

out <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                  semTools = as.character(packageVersion("semTools")),
                  psych = as.character(packageVersion("psych"))),
  model = model,
  mlr = section_block(mlr, FALSE),
  wlsmv = section_block(wlsmv, TRUE),
  htmt = mat(htmt_pearson),
  htmt_polychoric = mat(htmt_poly),
  harman = list(share = as.numeric(pc$Vaccounted["Proportion Var", 1]), n = nrow(complete),
                n_eigen_gt1 = sum(ev > 1)),
  method_factor = list(
    delta_chisq = lrt[2, "Chisq diff"], delta_df = lrt[2, "Df diff"], p = lrt[2, "Pr(>Chisq)"],
    trait = vec(fm_t), method = vec(fm_m), method_variance = mean(mload^2)
  )
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = FALSE),
           "tests/reference/report_cfa_validity.json")
