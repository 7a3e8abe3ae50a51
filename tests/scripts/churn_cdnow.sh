#!/bin/sh
# Churn evaluation of `strata run --calibration-end` on the CDNOW 1/10 sample (issue 11, section 5): label = no
# purchase in the 39-week holdout (1,673 of 2,357), AUCs of BG/NBD p_no_purchase, the hiatus and the
# logistic RFM model (odd ids train, even ids test) against the reference figures 0.757 / 0.771 / 0.783
# (shared/reference/next_anchors.md, section 5) to the printed digits. Skipped without ../shared/data.
STRATA=$1
SRC=$2
D="$SRC/../shared/data/cdnow"
[ -f "$D/cdnow_sample.csv" ] || D="$SRC/../../shared/data/cdnow" # a git worktree under the repository's parent
[ -f "$D/cdnow_sample.csv" ] || { echo "skipped: no cdnow_sample.csv under ../shared/data"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
STRATA_PROGRESS=0; export STRATA_PROGRESS
"$STRATA" run "$D/cdnow_sample.csv" --time-format %Y%m%d --unit week --calibration-end 1997-09-30 \
  --observation-end 1998-06-30 -o "$tmp/out" 2>/dev/null || { echo "run failed"; exit 1; }
# summary.json is indented by the project's writer: one "key": value per line inside "churn"
awk '
  /"churn": \{/ { on = 1 }
  on && /"p_no_purchase": \{/ { s = "pnp" } on && /"hiatus": \{/ { s = "hia" } on && /"logistic_rfm": \{/ { s = "log" }
  on && /"n":/ { gsub(",", "", $2); n = $2 } on && /"churned":/ && c == "" { gsub(",", "", $2); c = $2 }
  on && /"segment": \{/ { on = 0 }
  on && /"holdout":/ { gsub(",", "", $2); h = $2 }
  on && /"n_test":/ { gsub(",", "", $2); nt = $2 }
  on && s != "" && /"roc_auc":/ { gsub(",", "", $2); auc[s] = $2 }
  END {
    bad = 0
    if (n != 2357 || c != 1673 || h != 39) { print "n " n ", churned " c ", holdout " h ": expected 2357, 1673, 39"; bad = 1 }
    if (nt != 1178) { print "logistic test half " nt ", expected 1178 even ids"; bad = 1 }
    split("pnp hia log", k, " "); split("0.757 0.771 0.783", want, " ")
    for (i = 1; i <= 3; i++) {
      got = sprintf("%.3f", auc[k[i]])
      if (got != want[i]) { print k[i] " AUC " auc[k[i]] " rounds to " got ", expected " want[i]; bad = 1 }
    }
    if (!bad) printf "CDNOW churn AUCs: p_no_purchase %.4f, hiatus %.4f, logistic RFM %.4f (reference 0.757 / 0.771 / 0.783)\n", auc["pnp"], auc["hia"], auc["log"]
    exit bad
  }' "$tmp/out/summary.json"
