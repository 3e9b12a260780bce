# Reference figures for analysis/groups.py (group comparisons).
# Run from the repository root: Rscript tests/reference/groups.R
# Needs: r-base-core, r-cran-jsonlite, r-cran-effectsize, r-cran-rstatix (Debian packages).
suppressPackageStartupMessages({
  library(jsonlite)
  library(effectsize)
  library(rstatix)
})
d <- read.csv("tests/data/bfi.csv")
d$A1r <- 7 - d$A1
d$agree <- rowMeans(d[, c("A1r", "A2", "A3", "A4", "A5")])
d$consc <- rowMeans(cbind(d$C1, d$C2, d$C3, 7 - d$C4, 7 - d$C5))
two <- d[!is.na(d$agree), ]
x <- two$agree[two$gender == 1]
y <- two$agree[two$gender == 2]

tw <- t.test(x, y, var.equal = FALSE)
ts <- t.test(x, y, var.equal = TRUE)
wt <- suppressWarnings(wilcox.test(x, y, exact = FALSE, correct = TRUE))
g <- effectsize::hedges_g(x, y, pooled_sd = TRUE, ci = 0.95)
rb <- effectsize::rank_biserial(x, y, ci = 0.95)

many <- d[!is.na(d$agree) & !is.na(d$education), ]
many$education <- factor(many$education)
ow <- oneway.test(agree ~ education, data = many, var.equal = FALSE)
oc <- oneway.test(agree ~ education, data = many, var.equal = TRUE)
kw <- kruskal.test(agree ~ education, data = many)
fit <- aov(agree ~ education, data = many)
e2 <- effectsize::eta_squared(fit, ci = 0.95, alternative = "two.sided")
o2 <- effectsize::omega_squared(fit, ci = 0.95, alternative = "two.sided")
gh <- games_howell_test(many, agree ~ education, conf.level = 0.95, detailed = TRUE)
# rstatix rounds p.adj to three digits; the unrounded Games-Howell p from its definition
# (Games & Howell 1976): q = |diff| / sqrt((v1/n1 + v2/n2) / 2) on the studentized range with
# Welch-Satterthwaite df.
gh_p_exact <- mapply(function(a, b) {
  x1 <- many$agree[many$education == a]; x2 <- many$agree[many$education == b]
  s1 <- var(x1) / length(x1); s2 <- var(x2) / length(x2)
  df <- (s1 + s2)^2 / (s1^2 / (length(x1) - 1) + s2^2 / (length(x2) - 1))
  q <- abs(mean(x1) - mean(x2)) / sqrt((s1 + s2) / 2)
  ptukey(q, nlevels(many$education), df, lower.tail = FALSE)
}, as.character(gh$group1), as.character(gh$group2))
tk <- TukeyHSD(fit)$education

p <- c(0.01, 0.04, 0.03, 0.20, 0.002)
out <- list(
  two = list(
    welch_t = unname(tw$statistic), welch_df = unname(tw$parameter), welch_p = tw$p.value,
    welch_ci = unname(tw$conf.int[1:2]),
    student_t = unname(ts$statistic), student_df = unname(ts$parameter), student_p = ts$p.value,
    mwu_w = unname(wt$statistic), mwu_p = wt$p.value,
    hedges_g = g$Hedges_g, hedges_ci = c(g$CI_low, g$CI_high),
    rank_biserial = rb$r_rank_biserial, rank_biserial_ci = c(rb$CI_low, rb$CI_high),
    mean_x = mean(x), mean_y = mean(y), n_x = length(x), n_y = length(y),
    ci_x = unname(t.test(x)$conf.int[1:2])
  ),
  many = list(
    welch_F = unname(ow$statistic), welch_df1 = unname(ow$parameter[1]),
    welch_df2 = unname(ow$parameter[2]), welch_p = ow$p.value,
    anova_F = unname(oc$statistic), anova_p = oc$p.value,
    kw_H = unname(kw$statistic), kw_p = kw$p.value,
    eta2 = e2$Eta2, eta2_ci = c(e2$CI_low, e2$CI_high),
    omega2 = o2$Omega2,
    gh_group1 = as.character(gh$group1), gh_group2 = as.character(gh$group2),
    gh_diff = gh$estimate, gh_p = unname(gh_p_exact), gh_p_rstatix = gh$p.adj,
    tukey_pairs = rownames(tk), tukey_diff = unname(tk[, "diff"]), tukey_p = unname(tk[, "p adj"])
  ),
  adjust = list(p = p, holm = p.adjust(p, "holm"), bh = p.adjust(p, "BH"))
)
write_json(out, "tests/reference/groups.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("wrote tests/reference/groups.json\n")
