# kohonen_som.R -- R kohonen's side of the SOM benchmark: read the CSV, z-score, online SOM on a hex grid
# (same grid and epochs as strata), cluster the codebook into K groups (hclust, as is usual with kohonen)
# and map every row through its unit. usage: Rscript kohonen_som.R CSV ROWS COLS EPOCHS K [online|batch]
suppressMessages(library(kohonen))
a <- commandArgs(trailingOnly = TRUE)
d <- read.csv(a[1])
x <- scale(as.matrix(d[, c("recency_days", "orders", "revenue")]))
set.seed(42)
s <- som(x, grid = somgrid(as.integer(a[2]), as.integer(a[3]), "hexagonal", neighbourhood.fct = "gaussian"), rlen = as.integer(a[4]),
         mode = if (length(a) >= 6) a[6] else "online")
seg <- cutree(hclust(dist(s$codes[[1]])), as.integer(a[5]))[s$unit.classif]
cat(length(seg), mean(s$distances), "\n")
