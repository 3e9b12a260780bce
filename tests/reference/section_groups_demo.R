# Reference for the report's groups section on the bundled demo file (analysis/data/demo_responses.csv):
# measurement invariance across industry of two dimensions (ccrm_collab_core, ccrm_crm_strategy), each
# as a one-factor model as the section tests them when the groups are small, read and prepared in R as
# moscale prepares them (-99 = missing, reverse-keyed items reversed 8 - x, groups ordered by code,
# listwise deletion within the dimension or full-information ML (the pipeline's default when answers
# are missing), std.lv = TRUE, MLR), plus the Welch ANOVA of the dimension
# scores (mean of the answered items when at least half are answered) with Holm's adjustment.
# The partial models release the parameters moscale's search released; their score tests are checked
# too (the released loading is the one with the largest joint score test of the failing metric model).
#
# Run from the repository root: Rscript tests/reference/section_groups_demo.R
suppressPackageStartupMessages({
  library(jsonlite)
  library(lavaan)
})
stopifnot(packageVersion("lavaan") == "0.6.14")

d <- read.csv("analysis/data/demo_responses.csv", na.strings = c("", "NA", "-99"))
for (item in c("ccrm_a2", "ccrm_b3", "ccrm_c2", "ccrm_d2")) d[[item]] <- 8 - d[[item]]
d$industry <- as.character(d$industry)
labels <- c("1", "2", "3")

fm_names <- c("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust",
              "rmsea.robust", "srmr")
fit_of <- function(model, items, equal, partial = character(0), missing = "listwise") {
  if (missing == "listwise") {
    dat <- d[complete.cases(d[, items]), c(items, "industry")]
  } else {
    dat <- d[rowSums(!is.na(d[, items])) > 0, c(items, "industry")]
  }
  cfa(model, data = dat, group = "industry", group.label = labels, estimator = "MLR",
      std.lv = TRUE, meanstructure = TRUE, group.equal = if (length(equal)) equal else "",
      group.partial = if (length(partial)) partial else "", missing = missing)
}
measures <- function(fit) as.list(fitMeasures(fit, fm_names))
sb <- function(m1, m0) {
  tab <- lavTestLRT(m1, m0, method = "satorra.bentler.2001")
  list(stat = tab[2, "Chisq diff"], df = tab[2, "Df diff"], p = tab[2, "Pr(>Chisq)"])
}
# joint score test of releasing one parameter's equality constraints in every group
joint_scores <- function(fit, op) {
  pt <- parTable(fit)
  eq <- pt[pt$op == "==", ]
  out <- list()
  rows <- pt[pt$op == op & pt$group == 1 & pt$free > 0, ]
  for (r in seq_len(nrow(rows))) {
    lab <- rows$plabel[r]
    idx <- which(eq$lhs == lab)
    if (length(idx) == 0) next
    key <- if (op == "~1") paste(rows$lhs[r], "~ 1") else paste(rows$lhs[r], op, rows$rhs[r])
    # lavaan warns that MLR falls back to the ordinary score test, which is what moscale computes
    st <- suppressWarnings(lavTestScore(fit, release = idx, univariate = FALSE, epc = FALSE))$test
    out[[key]] <- st$X2[1]
  }
  out
}

units <- list(
  listwise = list(
    ccrm_collab_core = list(
      items = paste0("ccrm_a", 1:5),
      partial_metric = c("ccrm_collab_core =~ ccrm_a1", "ccrm_collab_core =~ ccrm_a2"),
      partial_scalar = character(0),
      partial_strict = c("ccrm_a1 ~~ ccrm_a1")
    ),
    ccrm_crm_strategy = list(items = paste0("ccrm_b", 1:5), partial_metric = character(0),
                             partial_scalar = character(0), partial_strict = character(0))
  ),
  ml = list(
    ccrm_collab_core = list(
      items = paste0("ccrm_a", 1:5),
      partial_metric = c("ccrm_collab_core =~ ccrm_a1"),
      partial_scalar = character(0),
      partial_strict = c("ccrm_a1 ~~ ccrm_a1")
    ),
    ccrm_crm_strategy = list(items = paste0("ccrm_b", 1:5), partial_metric = character(0),
                             partial_scalar = c("ccrm_b5 ~ 1"), partial_strict = character(0))
  )
)
out <- list()
for (missing in names(units)) {
  out[[missing]] <- list()
  for (name in names(units[[missing]])) {
    u <- units[[missing]][[name]]
    fit <- function(equal, partial = character(0)) fit_of(model, u$items, equal, partial, missing)
    model <- paste(name, "=~", paste(u$items, collapse = " + "))
    conf <- fit(character(0))
    metric <- fit("loadings")
    res <- list(nobs = as.list(lavInspect(conf, "nobs")), configural = measures(conf),
                metric = measures(metric), metric_vs_configural = sb(conf, metric),
                metric_scores = joint_scores(metric, "=~"))
    pm <- u$partial_metric
    ref <- metric
    if (length(pm)) {
      pmetric <- fit("loadings", pm)
      res$partial_metric <- measures(pmetric)
      res$partial_metric_vs_configural <- sb(conf, pmetric)
      ref <- pmetric
    }
    scalar <- fit(c("loadings", "intercepts"), pm)
    res$scalar <- measures(scalar)
    res$scalar_vs_previous <- sb(ref, scalar)
    ps <- u$partial_scalar
    if (length(ps)) {
      res$scalar_scores <- joint_scores(scalar, "~1")
      pscalar <- fit(c("loadings", "intercepts"), c(pm, ps))
      res$partial_scalar <- measures(pscalar)
      res$partial_scalar_vs_previous <- sb(ref, pscalar)
      scalar <- pscalar
    }
    strict <- fit(c("loadings", "intercepts", "residuals"), c(pm, ps))
    res$strict <- measures(strict)
    res$strict_vs_scalar <- sb(scalar, strict)
    if (length(u$partial_strict)) {
      pstrict <- fit(c("loadings", "intercepts", "residuals"), c(pm, ps, u$partial_strict))
      res$partial_strict <- measures(pstrict)
      res$partial_strict_vs_scalar <- sb(scalar, pstrict)
    }
    out[[missing]][[name]] <- res
  }
}

# observed-score comparison: dimension score = mean of the answered items, needing half of them
score <- function(items) {
  x <- d[, items]
  n <- rowSums(!is.na(x))
  s <- rowMeans(x, na.rm = TRUE)
  s[n < ceiling(0.5 * length(items))] <- NA
  s
}
welch <- list()
for (name in names(units$listwise)) {
  s <- score(units$listwise[[name]]$items)
  w <- oneway.test(s ~ d$industry, var.equal = FALSE)
  welch[[name]] <- list(F = unname(w$statistic), df1 = unname(w$parameter[1]),
                        df2 = unname(w$parameter[2]), p = w$p.value,
                        means = as.list(tapply(s, d$industry, mean, na.rm = TRUE)))
}
ps <- sapply(welch, function(w) w$p)
holm <- p.adjust(ps, "holm")
for (name in names(welch)) welch[[name]]$p_holm <- unname(holm[name])
out$welch <- welch
out$lavaan_version <- as.character(packageVersion("lavaan"))

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/section_groups_demo.json")
