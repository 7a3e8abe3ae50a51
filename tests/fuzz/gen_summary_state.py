#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_summary_state: summary accumulator states (kind "summary_acc", version 1)
built here from a few events, independently of the C writer, so the corpus also checks that the documented
byte format (docs/architecture.md, "Partial states") is the one the library reads: test_summary_state loads
every valid_* seed, and rebuilds valid_small.bin from the same events with the C API byte for byte.

Run once from the repository root:  python3 tests/fuzz/gen_summary_state.py
"""
import os
import struct
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "summary_state")
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
UNITS = {"day": 0, "week": 1, "month": 2, "year": 3}


def frame(kind, version, payload):
    k = kind.encode()
    return (b"STRT" + struct.pack("<II", version, len(k)) + k +
            struct.pack("<QI", len(payload), zlib.crc32(payload) & 0xFFFFFFFF) + payload)


def lp(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<I", len(b)) + b


def state(events, unit="day", obs_end=None, cal_end=None, purchase="purchase", customer_col="customer_id",
          has_money=True):
    """The accumulator after st_summary_acc_add of each (customer, day, behaviour or None, amount)."""
    ids, first, behs, count, last, pur = [], {}, [], {}, {}, []
    any_, lo, hi = False, INT32_MAX, INT32_MIN
    used = nonpos = zero = after = 0
    for cust, day, beh, amount in events:
        is_purchase = beh is None or beh == purchase
        if obs_end is not None and day > obs_end:
            after += 1
            continue
        if is_purchase and has_money and not amount >= 0:
            nonpos += 1
            continue
        b = None
        if beh is not None:
            beh = beh or "(empty)"
            if beh not in behs:
                behs.append(beh)
            b = behs.index(beh)
        if cust not in ids:
            ids.append(cust)
        i = ids.index(cust)
        first[i] = min(first.get(i, INT32_MAX), day)
        lo, hi, any_ = min(lo, day), max(hi, day), True
        used += 1
        if is_purchase and has_money and amount == 0:
            zero += 1
        if b is not None and (cal_end is None or day <= cal_end):
            count[b, i] = count.get((b, i), 0) + 1
            last[b, i] = max(last.get((b, i), INT32_MIN), day)
        if is_purchase:
            pur.append((i, day, amount if has_money else 0.0))
    p = struct.pack("<BIBqBq", has_money, UNITS[unit], obs_end is not None, obs_end or 0, cal_end is not None,
                    cal_end or 0)
    p += lp(purchase) + lp(customer_col)
    p += struct.pack("<BiiQQQQ", any_, lo, hi, used, nonpos, zero, after)
    p += struct.pack("<Q", len(ids)) + b"".join(lp(c) for c in ids)
    p += b"".join(struct.pack("<i", first.get(i, INT32_MAX)) for i in range(len(ids)))
    p += struct.pack("<Q", len(behs)) + b"".join(lp(b) for b in behs)
    for b in range(len(behs)):
        p += b"".join(struct.pack("<I", count.get((b, i), 0)) for i in range(len(ids)))
        p += b"".join(struct.pack("<i", last.get((b, i), INT32_MIN)) for i in range(len(ids)))
    p += struct.pack("<Q", len(pur)) + b"".join(struct.pack("<Iid", *q) for q in pur)
    return frame("summary_acc", 1, p)


# The events of tests/unit/summary_events.h (keep in step: valid_small.bin is compared byte for byte).
SMALL = [("a", 100, "view", 0), ("a", 100, "purchase", 10), ("a", 100, "purchase", 5), ("b", 101, "view", 0),
         ("a", 107, "purchase", 20), ("c", 103, "fav", 0), ("a", 121, "purchase", 30), ("b", 102, "purchase", 7),
         ("a", 90, "cart", 0), ("c", 120, "purchase", -3), ("b", 130, "purchase", 0), ("d", 125, "view", 0)]


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "valid_small.bin": state(SMALL, unit="week"),
        "valid_empty.bin": state([]),
        "valid_calibration.bin": state(SMALL, cal_end=105, obs_end=126, customer_col="CustomerID"),
        "valid_no_money.bin": state([(c, d, None, a) for c, d, _, a in SMALL], unit="month", has_money=False),
        "valid_odd_keys.bin": state([("", 5, "", 1.5), ("x\ny", -3, "purchase", float("nan")),
                                     ("\u00e9", INT32_MAX, "view", -0.0)], unit="year"),
    }
    small = seeds["valid_small.bin"]
    seeds["truncated_header.bin"] = small[:20]
    seeds["truncated_payload.bin"] = small[: len(small) // 2]
    seeds["foreign_kind.bin"] = frame("btyd_acc", 1, small[35:])
    seeds["newer_version.bin"] = frame("summary_acc", 2, small[35:])
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
