# Reference figures for the CFA engine on psych::bfi: five factors, 25 items.
# ML and MLR on complete cases (lavaan's default listwise deletion) and FIML (missing = "ml") with
# ML and MLR on every row that answered at least one item.
# Run from the repository root: Rscript tests/reference/cfa_bfi.R  -> tests/reference/cfa_bfi.json
# Needs: lavaan 0.6.14, jsonlite (r-cran-lavaan, r-cran-jsonlite). Takes about a minute.
source("tests/reference/cfa_common.R")

bfi <- read.csv("tests/data/bfi.csv")
bfi_model <- "A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
O =~ O1 + O2 + O3 + O4 + O5"

ref <- list(
  bfi_ml = c(list(model = bfi_model), fit_block(cfa(bfi_model, data = bfi))),
  bfi_mlr = c(list(model = bfi_model), fit_block(cfa(bfi_model, data = bfi, estimator = "MLR"))),
  bfi_fiml = c(list(model = bfi_model), fit_block(cfa(bfi_model, data = bfi, missing = "ml"))),
  bfi_fiml_mlr = c(list(model = bfi_model),
                   fit_block(cfa(bfi_model, data = bfi, missing = "ml", estimator = "MLR"), mi = FALSE))
)
write_ref(ref, "tests/reference/cfa_bfi.json")
