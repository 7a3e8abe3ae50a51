#!/usr/bin/python3
"""pandas_summarize.py -- the pandas peer of `strata summarize --event event`: the same per-customer table
(lifetimes conventions, see ../../src/features/summary.c) written as CSV.
Usage: /usr/bin/python3 bench/ingest/pandas_summarize.py EVENTS.csv OUT.csv"""
import sys

import numpy as np
import pandas as pd


def main(src, dst):
    # customer ids keep the type pandas infers (int64 for the simulated log), its fastest case
    df = pd.read_csv(src, dtype={"date": str, "event": "category", "amount": "float64"})
    try:
        ts = pd.to_datetime(df["date"], format="%Y-%m-%d %H:%M:%S")
    except ValueError:
        ts = pd.to_datetime(df["date"])
    df["day"] = ts.values.astype("datetime64[D]").astype(np.int64)
    del df["date"]
    end = df["day"].max()

    # purchases on the same day are one purchase with the amounts summed
    p = df[df["event"] == "purchase"]
    pday = p.groupby(["customer_id", "day"], sort=True)["amount"].sum().reset_index()
    g = pday.groupby("customer_id", sort=False)
    pc = pd.DataFrame({
        "ndays": g.size(),
        "first_day": g["day"].min(),
        "last_day": g["day"].max(),
        "total": g["amount"].sum(),
        "first_amt": g["amount"].first(),  # rows are sorted by day within a customer
    })

    customers = pd.Index(df["customer_id"].unique(), name="customer_id")  # order of first appearance
    out = pd.DataFrame(index=customers)
    pc = pc.reindex(customers)
    nd = pc["ndays"]
    out["frequency"] = (nd - 1).fillna(0)
    out["recency"] = pc["last_day"] - pc["first_day"]
    out["T"] = end - pc["first_day"]
    out["monetary_value"] = np.where(nd > 1, (pc["total"] - pc["first_amt"]) / (nd - 1), 0.0)
    out["recency_days"] = end - pc["last_day"]
    out["orders"] = nd.fillna(0)
    out["revenue"] = pc["total"].fillna(0)
    out["first_purchase"] = pd.to_datetime(pc["first_day"], unit="D").dt.strftime("%Y-%m-%d")
    out["last_purchase"] = pd.to_datetime(pc["last_day"], unit="D").dt.strftime("%Y-%m-%d")

    beh = df.groupby(["customer_id", "event"], sort=False, observed=True)["day"].agg(["size", "max"])
    counts = beh["size"].unstack(fill_value=0).reindex(customers, fill_value=0)
    last = beh["max"].unstack().reindex(customers)
    for b in counts.columns:
        out["count_" + str(b)] = counts[b]
        out["days_since_" + str(b)] = end - last[b]
    out.to_csv(dst)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: pandas_summarize.py EVENTS.csv OUT.csv")
    main(sys.argv[1], sys.argv[2])
