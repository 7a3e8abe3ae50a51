"""The peer of `strata abtest` in bench/abtest/run.sh: pandas reads the file, statsmodels runs the same tests
(pooled z test and Wilson / Newcombe intervals on converted, Welch's t test on revenue). Prints seconds."""
import sys
import time

t0 = time.perf_counter()
import pandas as pd
from statsmodels.stats.proportion import proportions_ztest, proportion_confint, confint_proportions_2indep
from statsmodels.stats.weightstats import ttest_ind

d = pd.read_csv(sys.argv[1], usecols=["arm", "converted", "revenue"])
t, c = d[d.arm == "treatment"], d[d.arm == "control"]
s = [t.converted.sum(), c.converted.sum()]
n = [len(t), len(c)]
proportions_ztest(s, n)
proportion_confint(s[0], n[0], method="wilson")
proportion_confint(s[1], n[1], method="wilson")
confint_proportions_2indep(s[0], n[0], s[1], n[1], method="newcomb")
ttest_ind(t.revenue.values, c.revenue.values, usevar="unequal")
print("%.3f" % (time.perf_counter() - t0))
