# Reference figures for moscale.analysis.multilevel (rwg(j), ICC(1), ICC(2)).
# Run from the repository root: Rscript tests/reference/icc_multilevel.R
# Anchors: multilevel 2.7 (rwg.j, rwg, ICC1, ICC2 on aov), psych 2.2.9 (ICC, statsBy).
suppressPackageStartupMessages({
  library(multilevel)
  library(psych)
  library(jsonlite)
})

set.seed(20240611)
# --- unbalanced firms: 25 firms of 2-6 respondents, a 4-item 5-point and a 3-item 7-point scale
sizes <- sample(2:6, 25, replace = TRUE)
firm <- rep(seq_along(sizes), sizes)
n <- length(firm)
u <- rnorm(25, 0, 0.8)[firm]
cut5 <- function(z) pmin(5, pmax(1, round(3 + z)))
cut7 <- function(z) pmin(7, pmax(1, round(4 + 1.3 * z)))
a <- sapply(1:4, function(j) cut5(u + rnorm(n, 0, 0.9)))
b <- sapply(1:3, function(j) cut7(u + rnorm(n, 0, 1.1)))
colnames(a) <- paste0("a", 1:4)
colnames(b) <- paste0("b", 1:3)
# a few missing answers: rwg.j leaves those respondents out (listwise)
a[c(3, 17, 40), c(2, 4, 1)] <- NA
dat <- data.frame(firm = firm, a, b)

rwg_a <- rwg.j(dat[, paste0("a", 1:4)], dat$firm, ranvar = (5^2 - 1) / 12)
rwg_b <- rwg.j(dat[, paste0("b", 1:3)], dat$firm, ranvar = (7^2 - 1) / 12)
rwg_b1 <- rwg(dat$b1, dat$firm, ranvar = (7^2 - 1) / 12)

# scale means (available items) as the respondent-level scores
dat$A <- rowMeans(dat[, paste0("a", 1:4)], na.rm = TRUE)
dat$B <- rowMeans(dat[, paste0("b", 1:3)])
iccs <- list()
for (v in c("A", "B")) {
  fit <- aov(dat[[v]] ~ as.factor(dat$firm))
  s <- summary(fit)[[1]]
  iccs[[v]] <- list(
    icc1 = ICC1(fit), icc2 = ICC2(fit),
    ms_between = s[1, 3], ms_within = s[2, 3], F = s[1, 4], p = s[1, 5],
    df1 = s[1, 1], df2 = s[2, 1]
  )
}
sb <- statsBy(dat[, c("firm", "A", "B")], group = "firm")

# --- balanced: 12 firms x 4 respondents; psych::ICC one-way (ICC1 = single, ICC1k = average)
set.seed(7)
bal_firm <- rep(1:12, each = 4)
bal_y <- round(rnorm(12, 4, 0.7)[bal_firm] + rnorm(48, 0, 0.8), 3)
wide <- matrix(bal_y, nrow = 12, byrow = TRUE)
pi <- psych::ICC(wide, lmer = FALSE)$results
bal_fit <- aov(bal_y ~ as.factor(bal_firm))

out <- list(
  source = "multilevel 2.7 rwg.j/rwg/ICC1/ICC2, psych 2.2.9 ICC/statsBy; R 4.2",
  data = list(firm = dat$firm, a = unname(as.data.frame(dat[, paste0("a", 1:4)])),
              b = unname(as.data.frame(dat[, paste0("b", 1:3)]))),
  rwg_a = list(firm = as.integer(as.character(rwg_a$grpid)), rwg_j = rwg_a$rwg.j, n = rwg_a$gsize),
  rwg_b = list(firm = as.integer(as.character(rwg_b$grpid)), rwg_j = rwg_b$rwg.j, n = rwg_b$gsize),
  rwg_b1 = list(firm = as.integer(as.character(rwg_b1$grpid)), rwg = rwg_b1$rwg),
  icc = iccs,
  statsby = list(icc1 = as.list(sb$ICC1[c("A", "B")]), icc2 = as.list(sb$ICC2[c("A", "B")])),
  balanced = list(firm = bal_firm, y = bal_y,
                  psych_icc1 = pi["Single_raters_absolute", "ICC"],
                  psych_icc1k = pi["Average_raters_absolute", "ICC"],
                  psych_F = pi["Single_raters_absolute", "F"],
                  multilevel_icc1 = ICC1(bal_fit), multilevel_icc2 = ICC2(bal_fit))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null"),
           "tests/reference/icc_multilevel.json")
