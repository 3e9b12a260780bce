# Reference figures for multi-group CFA (analysis/cfa/): Holzinger-Swineford by school,
# configural / metric / scalar / strict ML, an MLR scalar model, std.lv with equal loadings, and
# FIML with missing values put into the data.
# Run from the repository root: Rscript tests/reference/cfa_multigroup.R -> tests/reference/cfa_multigroup.json
# Needs: lavaan 0.6.14, jsonlite (r-cran-lavaan, r-cran-jsonlite).
source("tests/reference/cfa_common.R")

hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"

# FIML: knock out a fixed, documented set of values (every 7th case loses x2, every 11th x6)
hs_na <- hs
hs_na$x2[seq(1, nrow(hs), by = 7)] <- NA
hs_na$x6[seq(3, nrow(hs), by = 11)] <- NA

mg <- function(...) cfa(model, data = hs, group = "school", ...)
ref <- list(
  configural = c(list(model = model, group_equal = list()), fit_block(mg())),
  metric = c(list(model = model, group_equal = list("loadings")), fit_block(mg(group.equal = "loadings"))),
  scalar = c(list(model = model, group_equal = list("loadings", "intercepts")),
             fit_block(mg(group.equal = c("loadings", "intercepts")))),
  strict = c(list(model = model, group_equal = list("loadings", "intercepts", "residuals")),
             fit_block(mg(group.equal = c("loadings", "intercepts", "residuals")))),
  scalar_mlr = c(list(model = model, group_equal = list("loadings", "intercepts")),
                 fit_block(mg(group.equal = c("loadings", "intercepts"), estimator = "MLR"))),
  metric_stdlv = c(list(model = model, group_equal = list("loadings")),
                   fit_block(mg(group.equal = "loadings", std.lv = TRUE))),
  scalar_fiml = c(list(model = model, group_equal = list("loadings", "intercepts")),
                  fit_block(cfa(model, data = hs_na, group = "school", group.equal = c("loadings", "intercepts"),
                                missing = "ml"))),
  scalar_fiml_mlr = c(list(model = model, group_equal = list("loadings", "intercepts")),
                      fit_block(cfa(model, data = hs_na, group = "school",
                                    group.equal = c("loadings", "intercepts"), missing = "ml",
                                    estimator = "MLR"), mi = FALSE))
)
ref$group_labels <- unique(hs$school)
write_ref(ref, "tests/reference/cfa_multigroup.json")
