"""A port of scikit-uplift 0.5.1's metrics (sklift/metrics/metrics.py, maks-sh/scikit-uplift@0038e659, MIT
licence) to plain numpy, since sklift itself cannot be installed here. Each function follows the library's
steps one for one (the same argsort(kind="mergesort")[::-1], tie grouping, stable cumulative sums, divisions
guarded to 0, np.array_split bins), so it serves as the oracle of tests/scripts/uplift_sklift.sh and as the
peer of bench/uplift/. The binary checks of sklift (check_is_binary on y) are relaxed by `binary_only=False`
so that the same code also runs on continuous outcomes where the library would refuse them.
"""
import numpy as np


def _check_binary(a, name):
    u = np.unique(a)
    if not (len(u) == 2 and u[0] == 0 and u[1] == 1):
        raise ValueError("%s is not binary (values %s)" % (name, u[:5]))


def _stable_cumsum(a):
    # sklearn.utils.extmath.stable_cumsum: np.cumsum in float64 (its check only warns)
    return np.cumsum(a, dtype=np.float64)


def auc(x, y):
    # sklearn.metrics.auc for an increasing x: numpy's trapezoid rule
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    d = np.diff(x)
    return (d * (y[1:] + y[:-1]) / 2.0).sum()  # a numpy scalar: 0/0 is NaN, as in sklift


def _curve_parts(y_true, uplift, treatment):
    y_true, uplift, treatment = np.array(y_true), np.array(uplift), np.array(treatment)
    desc = np.argsort(uplift, kind="mergesort")[::-1]
    y_true, uplift, treatment = y_true[desc], uplift[desc], treatment[desc]
    y_ctrl, y_trmnt = y_true.copy(), y_true.copy()
    y_ctrl[treatment == 1] = 0
    y_trmnt[treatment == 0] = 0
    distinct = np.where(np.diff(uplift))[0]
    thr = np.r_[distinct, uplift.size - 1]
    num_trmnt = _stable_cumsum(treatment)[thr]
    y_trmnt_c = _stable_cumsum(y_trmnt)[thr]
    num_all = thr + 1
    num_ctrl = num_all - num_trmnt
    y_ctrl_c = _stable_cumsum(y_ctrl)[thr]
    return num_all, num_trmnt, num_ctrl, y_trmnt_c, y_ctrl_c


def _start_at_zero(num_all, values):
    if num_all.size == 0 or values[0] != 0 or num_all[0] != 0:
        num_all = np.r_[0, num_all]
        values = np.r_[0, values]
    return num_all, values


def uplift_curve(y_true, uplift, treatment):
    num_all, num_trmnt, num_ctrl, y_trmnt, y_ctrl = _curve_parts(y_true, uplift, treatment)
    values = (np.divide(y_trmnt, num_trmnt, out=np.zeros_like(y_trmnt), where=num_trmnt != 0) -
              np.divide(y_ctrl, num_ctrl, out=np.zeros_like(y_ctrl), where=num_ctrl != 0)) * num_all
    return _start_at_zero(num_all, values)


def qini_curve(y_true, uplift, treatment):
    num_all, num_trmnt, num_ctrl, y_trmnt, y_ctrl = _curve_parts(y_true, uplift, treatment)
    values = y_trmnt - y_ctrl * np.divide(num_trmnt, num_ctrl, out=np.zeros_like(num_trmnt), where=num_ctrl != 0)
    return _start_at_zero(num_all, values)


def perfect_uplift_curve(y_true, treatment, binary_only=True):
    y_true, treatment = np.array(y_true), np.array(treatment)
    if binary_only or np.isin(y_true, (0, 1)).all():
        cr_num = np.sum((y_true == 1) & (treatment == 0))
        tn_num = np.sum((y_true == 0) & (treatment == 1))
        summand = y_true if cr_num > tn_num else treatment
        perfect = 2 * (y_true == treatment) + summand
    else:
        # Strata's documented choice for continuous outcomes: the qini oracle y t - y (1 - t)
        perfect = y_true * treatment - y_true * (1 - treatment)
    return uplift_curve(y_true, perfect, treatment)


def perfect_qini_curve(y_true, treatment, negative_effect=True):
    y_true, treatment = np.array(y_true), np.array(treatment)
    if negative_effect:
        return qini_curve(y_true, y_true * treatment - y_true * (1 - treatment), treatment)
    ratio = (y_true[treatment == 1].sum() - len(y_true[treatment == 1]) *
             y_true[treatment == 0].sum() / len(y_true[treatment == 0]))
    return np.array([0, ratio, len(y_true)]), np.array([0, ratio, ratio])


def _normalised(actual, perfect):
    xa, ya = actual
    xp, yp = perfect
    base = auc(np.array([0, xp[-1]]), np.array([0, yp[-1]]))
    return (auc(xa, ya) - base) / (auc(xp, yp) - base)


def qini_auc_score(y_true, uplift, treatment, negative_effect=True, binary_only=True):
    _check_binary(treatment, "treatment")
    if binary_only:
        _check_binary(y_true, "y_true")
    with np.errstate(invalid="ignore", divide="ignore"):
        return _normalised(qini_curve(y_true, uplift, treatment),
                           perfect_qini_curve(y_true, treatment, negative_effect))


def uplift_auc_score(y_true, uplift, treatment, binary_only=True):
    _check_binary(treatment, "treatment")
    if binary_only:
        _check_binary(y_true, "y_true")
    with np.errstate(invalid="ignore", divide="ignore"):
        return _normalised(uplift_curve(y_true, uplift, treatment),
                           perfect_uplift_curve(y_true, treatment, binary_only))


def uplift_at_k(y_true, uplift, treatment, strategy, k=0.3):
    y_true, uplift, treatment = np.array(y_true), np.array(uplift), np.array(treatment)
    n_samples = len(y_true)
    order = np.argsort(uplift, kind="mergesort")[::-1]
    _, counts = np.unique(treatment, return_counts=True)
    n_samples_ctrl, n_samples_trmnt = counts[0], counts[1]
    k_type = np.asarray(k).dtype.kind
    if (k_type == "i" and (k >= n_samples or k <= 0)) or (k_type == "f" and (k <= 0 or k >= 1)):
        raise ValueError("k=%r out of range" % (k,))
    with np.errstate(invalid="ignore", divide="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if strategy == "overall":
                n_size = int(n_samples * k) if k_type == "f" else k
                score_ctrl = y_true[order][:n_size][treatment[order][:n_size] == 0].mean()
                score_trmnt = y_true[order][:n_size][treatment[order][:n_size] == 1].mean()
            else:
                if k_type == "f":
                    n_ctrl = int((treatment == 0).sum() * k)
                    n_trmnt = int((treatment == 1).sum() * k)
                else:
                    n_ctrl = n_trmnt = k
                if n_ctrl > n_samples_ctrl or n_trmnt > n_samples_trmnt:
                    raise ValueError("k=%r larger than a group" % (k,))
                score_ctrl = y_true[order][treatment[order] == 0][:n_ctrl].mean()
                score_trmnt = y_true[order][treatment[order] == 1][:n_trmnt].mean()
    return score_trmnt - score_ctrl


def response_rate_by_percentile(y_true, uplift, treatment, group, strategy="overall", bins=10):
    y_true, uplift, treatment = np.array(y_true), np.array(uplift), np.array(treatment)
    if bins >= len(y_true):
        raise ValueError("bins >= n")
    order = np.argsort(uplift, kind="mergesort")[::-1]
    flag = 1 if group == "treatment" else 0
    import warnings
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if strategy == "overall":
            y_bin = np.array_split(y_true[order], bins)
            t_bin = np.array_split(treatment[order], bins)
            size = np.array([len(y[t == flag]) for y, t in zip(y_bin, t_bin)])
            rate = np.array([np.mean(y[t == flag]) for y, t in zip(y_bin, t_bin)])
        else:
            y_bin = np.array_split(y_true[order][treatment[order] == flag], bins)
            size = np.array([len(y) for y in y_bin])
            rate = np.array([np.mean(y) for y in y_bin])
        variance = np.multiply(rate, np.divide((1 - rate), size))
    return rate, variance, size


def weighted_average_uplift(y_true, uplift, treatment, strategy="overall", bins=10):
    rt, _, nt = response_rate_by_percentile(y_true, uplift, treatment, "treatment", strategy, bins)
    rc, _, _ = response_rate_by_percentile(y_true, uplift, treatment, "control", strategy, bins)
    return np.dot(nt, rt - rc) / np.sum(nt)


def uplift_by_percentile(y_true, uplift, treatment, strategy="overall", bins=10):
    """The DataFrame's columns as a list of dicts (no pandas needed)."""
    rt, _, nt = response_rate_by_percentile(y_true, uplift, treatment, "treatment", strategy, bins)
    rc, _, nc = response_rate_by_percentile(y_true, uplift, treatment, "control", strategy, bins)
    pct = [round(p * 100 / bins) for p in range(1, bins + 1)]
    labels = ["0-%d" % pct[0]] + ["%d-%d" % (pct[i], pct[i + 1]) for i in range(len(pct) - 1)]
    return [{"percentile": labels[b], "n_treatment": int(nt[b]), "n_control": int(nc[b]),
             "response_rate_treatment": float(rt[b]), "response_rate_control": float(rc[b]),
             "uplift": float(rt[b] - rc[b])} for b in range(bins)]


def evaluate(y, t, s, k=0.3, bins=10):
    """Every figure of `strata uplift eval` (EVAL.json) as sklift computes it; continuous y allowed."""
    binary = bool(np.isin(y, (0, 1)).all())
    xq, yq = qini_curve(y, s, t)
    xu, yu = uplift_curve(y, s, t)
    return {
        "outcome": "binary" if binary else "continuous",
        "qini_auc": float(qini_auc_score(y, s, t, binary_only=False)),
        "uplift_auc": float(uplift_auc_score(y, s, t, binary_only=False)),
        "uplift_at_k": {"overall": uplift_at_k(y, s, t, "overall", k),
                        "by_group": uplift_at_k(y, s, t, "by_group", k)},
        "weighted_average_uplift": weighted_average_uplift(y, s, t, "overall", bins),
        "by_percentile": uplift_by_percentile(y, s, t, "overall", bins),
        "qini_curve": [[float(a), float(b)] for a, b in zip(xq, yq)],
        "uplift_curve": [[float(a), float(b)] for a, b in zip(xu, yu)],
    }
