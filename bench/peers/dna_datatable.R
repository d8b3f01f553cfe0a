# dna_datatable.R — the DNA job in R data.table (2 threads), for bench/run.sh.
# usage: Rscript bench/peers/dna_datatable.R APPOINTMENTS.csv IMD.csv OUT.csv [THREADS]
# Same definitions as docs/dna-job.md ("Exact definition").
suppressPackageStartupMessages(library(data.table))
a <- commandArgs(trailingOnly = TRUE)
if (length(a) < 3) stop("usage: dna_datatable.R APPOINTMENTS.csv IMD.csv OUT.csv [THREADS]")
setDTthreads(if (length(a) >= 4) as.integer(a[4]) else 2L)
trim <- function(x) { x[is.na(x)] <- ""; gsub("^[ \t\r]+|[ \t\r]+$", "", x) }
imd <- fread(a[2], select = c(1L, 6L), col.names = c("lsoa", "decile"), colClasses = "character",
             encoding = "UTF-8", showProgress = FALSE)
imd[, decile := as.integer(decile)]
d <- fread(a[1], select = c("attended_or_did_not_attend", "ethnic_category", "lsoa11"),
           colClasses = "character", na.strings = NULL, strip.white = FALSE, showProgress = FALSE)
setnames(d, c("att", "eth", "lsoa"))
d[, att := trim(att)]
d <- d[att %chin% c("5", "6", "3", "7")]
d[, `:=`(eth = trim(eth), lsoa = trim(lsoa))]
d[imd, decile := i.decile, on = "lsoa"]
grp <- c(A = "white", B = "white", C = "white", D = "mixed", E = "mixed", F = "mixed", G = "mixed",
         H = "asian", J = "asian", K = "asian", L = "asian", M = "black", N = "black", P = "black",
         R = "other", S = "other", Z = "not_stated", "99" = "not_known")
d[, g := unname(grp[eth])]
d[eth == "", g := "not_known"]
d[is.na(g), g := "invalid"]
d[, q := ifelse(is.na(decile), "unknown", as.character((decile + 1L) %/% 2L))]
d[, dna := as.integer(att %chin% c("3", "7"))]
r <- groupingsets(d, j = list(dna = sum(dna), appointments = .N), by = c("q", "g"),
                  sets = list(c("q", "g"), "q", "g", character(0)))
r[, lens := fifelse(is.na(q) & is.na(g), "total", fifelse(is.na(g), "imd_quintile",
                   fifelse(is.na(q), "ethnic_group", "imd_quintile_x_ethnic_group")))]
r[is.na(q), q := "all"]
r[is.na(g), g := "all"]
fwrite(r[order(lens, q, g), .(lens, imd_quintile = q, ethnic_group = g, dna, appointments)], a[3])
