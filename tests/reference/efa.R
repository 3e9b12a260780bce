# Reference figures for moscale's EFA: factorability (KMO, Bartlett), number of factors (parallel
# analysis, Velicer's MAP), extraction (minres, ML, PA) with rotations, and fit statistics.
# Run from the repository root: Rscript tests/reference/efa.R   (writes tests/reference/efa.json)
# Needs: psych (2.2.9 used), GPArotation, jsonlite.
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(jsonlite)
})

bfi <- read.csv("tests/data/bfi.csv")[, 1:25]
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")[, paste0("x", 1:9)]
sets <- list(bfi = bfi, hs = hs)

mat <- function(m) unname(lapply(seq_len(nrow(m)), function(i) as.numeric(m[i, ])))

out <- list(versions = list(psych = as.character(packageVersion("psych")),
                            GPArotation = as.character(packageVersion("GPArotation")),
                            R = R.version.string))

# --- factorability -----------------------------------------------------------------------------
fac <- list()
for (nm in names(sets)) {
  x <- sets[[nm]]
  r <- cor(x, use = "pairwise")
  k <- KMO(x)
  b <- cortest.bartlett(x)            # data in: R from pairwise correlations, n = nrow(x)
  fac[[nm]] <- list(msa = k$MSA, msai = as.numeric(k$MSAi), chisq = b$chisq, df = b$df,
                    p = b$p.value, det = det(r), n = nrow(x))
}
out$factorability <- fac

# --- parallel analysis and MAP ---------------------------------------------------------------------
pa <- list()
for (nm in names(sets)) {
  x <- sets[[nm]]
  sugg <- list()
  for (s in 1:5) {
    set.seed(s)
    p <- fa.parallel(x, n.iter = 20, plot = FALSE)
    sugg[[s]] <- c(p$nfact, p$ncomp)
  }
  set.seed(123)
  p <- fa.parallel(x, n.iter = 20, plot = FALSE)
  v <- vss(x, n = 8, plot = FALSE)
  p_smc <- fa.parallel(x, n.iter = 2, SMC = TRUE, plot = FALSE)
  p_ml <- fa.parallel(x, n.iter = 2, fm = "ml", plot = FALSE)
  pa[[nm]] <- list(fa_values_smc = p_smc$fa.values, fa_values_ml = p_ml$fa.values,
                   fa_values = p$fa.values, pc_values = p$pc.values, nfact = p$nfact,
                   ncomp = p$ncomp, fa_sim = p$fa.sim, pc_sim = p$pc.sim,
                   fa_simr = p$fa.simr, pc_simr = p$pc.simr,
                   suggestions_by_seed = mat(do.call(rbind, sugg)),
                   map = v$map, map_nfactors = which.min(v$map))
}
out$parallel <- pa

# --- extraction and rotation -------------------------------------------------------------------------
fit_one <- function(x, nf, fm, rotate, n.obs = NA) {
  f <- fa(x, nfactors = nf, fm = fm, rotate = rotate, n.obs = n.obs, warnings = FALSE)
  list(
    nfactors = nf, fm = fm, rotate = rotate,
    loadings = mat(unclass(f$loadings)),
    structure = mat(unclass(f$Structure)),
    phi = if (is.null(f$Phi)) NULL else mat(f$Phi),
    communality = as.numeric(f$communality),
    uniquenesses = as.numeric(f$uniquenesses),
    vaccounted = mat(f$Vaccounted), vaccounted_rows = rownames(f$Vaccounted),
    values = as.numeric(f$values), e_values = as.numeric(f$e.values),
    objective = f$objective, statistic = f$STATISTIC, pval = f$PVAL, dof = f$dof,
    chi = f$chi, epval = f$EPVAL, rms = f$rms, crms = f$crms, nh = f$nh,
    rmsea = as.numeric(f$RMSEA[1:3]), tli = f$TLI, bic = f$BIC, sabic = f$SABIC,
    ebic = f$EBIC, null_chisq = f$null.chisq, null_dof = f$null.dof, null_model = f$null.model,
    fit = f$fit, fit_off = f$fit.off, n_obs = f$n.obs
  )
}
fits <- list(
  bfi_minres_oblimin = fit_one(bfi, 5, "minres", "oblimin"),
  bfi_ml_varimax = fit_one(bfi, 5, "ml", "varimax"),
  bfi_pa_promax = fit_one(bfi, 5, "pa", "promax"),
  bfi_minres_geominQ = fit_one(bfi, 5, "minres", "geominQ"),
  bfi_minres_geominT = fit_one(bfi, 5, "minres", "geominT"),
  bfi_minres_quartimin = fit_one(bfi, 5, "minres", "quartimin"),
  bfi_ml_oblimin = fit_one(bfi, 5, "ml", "oblimin"),
  bfi_minres_none = fit_one(bfi, 5, "minres", "none"),
  bfi_minres_varimax_1 = fit_one(bfi, 1, "minres", "varimax"),
  hs_minres_oblimin = fit_one(hs, 3, "minres", "oblimin"),
  hs_ml_promax = fit_one(hs, 3, "ml", "promax"),
  hs_pa_varimax = fit_one(hs, 3, "pa", "varimax"),
  hs_ml_geominQ = fit_one(hs, 3, "ml", "geominQ"),
  # complete cases only
  bfi_listwise_minres_oblimin = fit_one(na.omit(bfi), 5, "minres", "oblimin"),
  # a correlation matrix in, with n.obs (no pairwise counts: the empirical chi uses n.obs)
  hs_matrix_minres_oblimin = fit_one(cor(hs), 3, "minres", "oblimin", n.obs = nrow(hs))
)
out$fa <- fits

# --- polychoric correlations of bfi (psych), and fa on that matrix ------------------------------------
pc <- suppressWarnings(polychoric(bfi))
out$polychoric_bfi <- list(rho = mat(pc$rho), names = colnames(bfi))
out$fa_poly <- list(
  matrix_minres_oblimin = fit_one(pc$rho, 5, "minres", "oblimin", n.obs = nrow(bfi)),
  data_minres_oblimin = {
    f <- suppressWarnings(fa(bfi, 5, cor = "poly", warnings = FALSE))
    list(loadings = mat(unclass(f$loadings)), phi = mat(f$Phi), statistic = f$STATISTIC,
         chi = f$chi, rmsea = as.numeric(f$RMSEA[1:3]), tli = f$TLI, bic = f$BIC, dof = f$dof)
  }
)

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = FALSE),
           "tests/reference/efa.json")
