# Reference figures for the CFA engine (analysis/cfa/) on small classic data sets.
# Run from the repository root: Rscript tests/reference/cfa_basic.R  -> tests/reference/cfa_basic.json
# Needs: lavaan 0.6.14, jsonlite (r-cran-lavaan, r-cran-jsonlite).
source("tests/reference/cfa_common.R")

hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
pd <- read.csv("tests/data/political_democracy.csv")

hs_model <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
hs_labels <- "visual =~ x1 + a*x2 + a*x3
textual =~ x4 + b*x5 + b*x6
speed =~ x7 + x8 + x9"
hs_rescov <- paste(hs_model, "x7 ~~ x8", sep = "\n")
hs_second <- paste(hs_model, "g =~ visual + textual + speed", sep = "\n")
pd_model <- "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8"

hs_means <- paste(hs_model, "x1 ~ 1", sep = "\n")
hs_eq <- "visual =~ x1 + a*x2 + b*x3
textual =~ x4 + c*x5 + d*x6
speed =~ x7 + x8 + x9
a == b
c == d"

ref <- list(
  hs_ml = c(list(model = hs_model), fit_block(cfa(hs_model, data = hs))),
  hs_mlr = c(list(model = hs_model), fit_block(cfa(hs_model, data = hs, estimator = "MLR"))),
  hs_stdlv = c(list(model = hs_model), fit_block(cfa(hs_model, data = hs, std.lv = TRUE))),
  hs_labels = c(list(model = hs_labels), fit_block(cfa(hs_labels, data = hs))),
  hs_rescov = c(list(model = hs_rescov), fit_block(cfa(hs_rescov, data = hs))),
  hs_rescov_mlr = c(list(model = hs_rescov), fit_block(cfa(hs_rescov, data = hs, estimator = "MLR"))),
  hs_second = c(list(model = hs_second), fit_block(cfa(hs_second, data = hs))),
  pd_ml = c(list(model = pd_model), fit_block(cfa(pd_model, data = pd))),
  pd_mlr = c(list(model = pd_model), fit_block(cfa(pd_model, data = pd, estimator = "MLR"))),
  # options and syntax variants
  hs_means = c(list(model = hs_means), fit_block(cfa(hs_means, data = hs))),
  hs_eq = c(list(model = hs_eq), fit_block(cfa(hs_eq, data = hs))),
  hs_mlrexpected = c(list(model = hs_model),
                     fit_block(cfa(hs_model, data = hs, estimator = "MLR", information = "expected"))),
  hs_mlobserved = c(list(model = hs_model), fit_block(cfa(hs_model, data = hs, information = "observed"))),
  hs_mlrobust = c(list(model = hs_model), fit_block(cfa(hs_model, data = hs, se = "robust.huber.white"))),
  # just identified (df = 0): lavaan's conventions for p-values, scaled and robust measures
  hs_justid_mlr = c(list(model = "visual =~ x1 + x2 + x3"),
                    fit_block(cfa("visual =~ x1 + x2 + x3", data = hs, estimator = "MLR"), mi = FALSE))
)
write_ref(ref, "tests/reference/cfa_basic.json")
