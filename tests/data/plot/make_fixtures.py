#!/usr/bin/env python3
"""make_fixtures.py - regenerate the plot fixtures in this directory.

The CSV files here have the layouts clvsim writes into --out DIR (see
docs/plots.md) and plausible numbers: the textbook three-brand example of
docs/theory.md (P, S0, r = 9%), ten years, margins 500/450/300 per
purchase, simulated with a fixed seed. They exist so that
tests/test_plot.c can draw every figure without running a simulation; the
numbers are only checked for shape, not value.

Usage: python3 tests/data/plot/make_fixtures.py   (from the repo top)

fit_holdout.csv and fit_survival.csv are not made here: they are clvsim
fit's own tables of the worked example (docs/fit.md), from the repo top:
  clvsim fit scenarios/data/purchases.csv --churn-after 3 --holdout 2025-01-01 --summary DIR
  clvsim fit --survival scenarios/data/cohort.csv --period year --summary DIR
"""
import csv
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
STATES = ["A", "B", "C"]
P = [[0.70, 0.20, 0.10], [0.10, 0.80, 0.10], [0.25, 0.15, 0.60]]
S0 = [0.60, 0.30, 0.10]
MARGIN = [500.0, 450.0, 300.0]
R = 0.09
T = 10


def fmt(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if isinstance(x, str):
        return x
    if x == 0:
        x = 0.0
    return "%.10g" % x


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([fmt(v) for v in row])


def step(dist, p):
    n = len(dist)
    return [sum(dist[i] * p[i][j] for i in range(n)) for j in range(n)]


def exact_shares(p, periods):
    out, s = [], S0[:]
    for _ in range(periods + 1):
        out.append(s)
        s = step(s, p)
    return out


def steady(p):
    s = S0[:]
    for _ in range(2000):
        s = step(s, p)
    return s


def pick(rng, row):
    u, acc = rng.random(), 0.0
    for j, q in enumerate(row):
        acc += q
        if u < acc:
            return j
    return len(row) - 1


def customer_clv(rng, p):
    """Per-state discounted margin of one customer over periods 0..T."""
    x = pick(rng, S0)
    clv = [0.0] * len(STATES)
    for t in range(T + 1):
        clv[x] += MARGIN[x] / (1 + R) ** t
        x = pick(rng, p[x])
    return clv


def quantile(sorted_v, q):
    h = (len(sorted_v) - 1) * q
    lo = int(math.floor(h))
    hi = min(lo + 1, len(sorted_v) - 1)
    return sorted_v[lo] + (h - lo) * (sorted_v[hi] - sorted_v[lo])


QS = [0.05, 0.25, 0.50, 0.75, 0.95]


def share_csv(rng):
    ex, st = exact_shares(P, T), steady(P)
    rows = []
    for i, name in enumerate(STATES):
        for t in range(T + 1):
            # replication-to-replication spread of a share over 400 customers
            sims = sorted(min(1, max(0, rng.gauss(ex[t][i], math.sqrt(ex[t][i] * (1 - ex[t][i]) / 400))))
                          for _ in range(200))
            mean = sum(sims) / len(sims)
            rows.append([t, name, mean] + [quantile(sims, q) for q in QS] + [ex[t][i], st[i]])
    write("share.csv", ["period", "state", "mean", "p05", "p25", "p50", "p75", "p95", "exact", "steady"], rows)


def hist_rows(prefix, values, bins=30):
    v = sorted(values)
    lo, hi = v[0], v[-1]
    if hi <= lo:
        hi = lo + 1
    width = (hi - lo) / bins
    rows, cum, n = [], 0, len(v)
    for b in range(bins):
        a, z = lo + b * width, lo + (b + 1) * width
        c = sum(1 for x in v if (a <= x < z) or (b == bins - 1 and x == z))
        cum += c
        rows.append(prefix + [a, z, c, c / (n * width), cum / n])
    return rows


def summary(v):
    v = sorted(v)
    n = len(v)
    mean = sum(v) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (n - 1))
    return mean, sd / math.sqrt(n), sd, [quantile(v, q) for q in QS]


def exact_clv(p):
    ex = exact_shares(p, T)
    per = [sum(ex[t][i] * MARGIN[i] / (1 + R) ** t for t in range(T + 1)) for i in range(3)]
    return per + [sum(per)]


def clv_csvs(rng):
    cust = [customer_clv(rng, P) for _ in range(4000)]
    cols = [[c[i] for c in cust] for i in range(3)] + [[sum(c) for c in cust]]
    names = STATES + ["total"]
    ex = exact_clv(P)
    hrows, crows = [], []
    for k, name in enumerate(names):
        hrows += hist_rows([name], cols[k])
        mean, se, sd, q = summary(cols[k])
        crows.append([name, "customers", mean, se, sd] + q + [ex[k]])
        reps = sorted(rng.gauss(mean, se * 8) for _ in range(200))
        rm, rse, rsd, rq = summary(reps)
        crows.append([name, "replications", rm, rse, rsd] + rq + [ex[k]])
    write("clv_hist.csv", ["state", "bin_lo", "bin_hi", "count", "density", "cdf"], hrows)
    write("clv.csv", ["state", "level", "mean", "se", "sd", "p05", "p25", "p50", "p75", "p95", "exact"], crows)


SCENARIOS = [
    ("textbook", P),
    ("A retention 80%", [[0.80, 0.10, 0.10], P[1], P[2]]),
    ("A retention 80%, C defects to A", [[0.80, 0.10, 0.10], P[1], [0.30, 0.10, 0.60]]),
]


def compare_csvs():
    totals = []
    for _, p in SCENARIOS:
        rng = random.Random(7)  # common random numbers: same stream per scenario
        totals.append([sum(customer_clv(rng, p)) for _ in range(4000)])
    hrows, drows = [], []
    for (name, _), tot in zip(SCENARIOS, totals):
        hrows += hist_rows([name, "total"], tot)
    for (name, _), tot in list(zip(SCENARIOS, totals))[1:]:
        drows += hist_rows([name, "total"], [a - b for a, b in zip(tot, totals[0])])
    write("compare_hist.csv", ["scenario", "state", "bin_lo", "bin_hi", "count", "density", "cdf"], hrows)
    write("compare_diff.csv", ["scenario", "state", "bin_lo", "bin_hi", "count", "density", "cdf"], drows)


# assumption, low input, high input, effect on total CLV per unit input
TORNADO = [
    ("retention.A", 0.6, 0.8, 900.0),
    ("margin.A", 400.0, 600.0, 2.1),
    ("discount_rate", 0.06, 0.12, -2500.0),
    ("switching.C.A", 0.15, 0.35, 350.0),
    ("margin.B", 400.0, 500.0, 1.6),
    ("margin.C", 250.0, 350.0, 0.6),
]
BASE = 3100.0


def tornado_csvs():
    rows = []
    for name, lo, hi, slope in TORNADO:
        mid = (lo + hi) / 2
        rows.append([name, lo, hi, BASE + slope * (lo - mid), BASE + slope * (hi - mid)])
    rows = [r + [abs(r[4] - r[3]), BASE] for r in rows]
    rows.sort(key=lambda r: -r[5])
    write("tornado.csv", ["assumption", "low_input", "high_input", "clv_low", "clv_high", "swing", "base"], rows)
    srows = []
    for name, lo, hi, slope in TORNADO:
        mid = (lo + hi) / 2
        for pct in (5, 25, 50, 75, 95):
            x = lo + (hi - lo) * (pct - 5) / 90
            srows.append([name, pct, x, BASE + slope * (x - mid) + 0.002 * slope * (x - mid) ** 2])
    write("spider.csv", ["assumption", "percentile", "input", "clv"], srows)


def sweep_csvs(rng):
    rows = []
    xs = [0.50 + 0.05 * k for k in range(9)]
    for i, name in enumerate(STATES + ["total"]):
        for x in xs:
            p = [[x, (1 - x) * 2 / 3, (1 - x) / 3], P[1], P[2]]
            ex = exact_clv(p)[i]
            se = 4 + 0.01 * ex
            rows.append([x, name, ex + rng.gauss(0, se), se, ex])
    write("sweep.csv", ["retention.A", "state", "mean", "se", "exact"], rows)
    rows2 = []
    for x in xs:
        for y in [0.05 + 0.01 * k for k in range(11)]:
            p = [[x, (1 - x) * 2 / 3, (1 - x) / 3], P[1], P[2]]
            ex = sum(sum(s[i] * MARGIN[i] for i in range(3)) / (1 + y) ** t
                     for t, s in enumerate(exact_shares(p, T)))
            se = 5.0
            rows2.append([x, y, ex + rng.gauss(0, se), se, ex])
    write("sweep2.csv", ["retention.A", "discount_rate", "mean", "se", "exact"], rows2)


def solve_csvs(rng):
    """A break-even: the gain of a retention uplift x over the base, each
    replication a line a_r + b_r x (a possible world)."""
    reps = [(rng.gauss(-53.0, 12.0), rng.gauss(1800.0, 300.0)) for _ in range(200)]
    xs = [0.2 * k / 40 for k in range(41)]
    rows = []
    for x in xs:
        v = sorted(a + b * x for a, b in reps)
        rows.append([x, -53.0 + 1800.0 * x, sum(v) / len(v), quantile(v, 0.05),
                     quantile(v, 0.95), sum(1 for y in v if y > 0) / len(v)])
    write("solve.csv", ["campaign.retention_uplift", "exact", "mean", "p05", "p95", "p_pays"],
          rows)
    roots = sorted(-a / b for a, b in reps)
    write("solve_summary.csv", ["key", "target", "value", "lo90", "hi90", "p50", "below",
                                "above", "replications", "lo90_outside", "hi90_outside",
                                "p50_outside"],
          [["campaign.retention_uplift", 0, 53.0 / 1800.0, quantile(roots, 0.05),
            quantile(roots, 0.95), quantile(roots, 0.5), 0, 0, 200, "", "", ""]])


def decision_csvs():
    """A decision between a base and a campaign, over possible worlds."""
    write("compare_p_best.csv", ["scenario", "mean_total", "p_best", "evpi"],
          [["Uncertain retention, monthly periods", 393.61, 0.448, 3.06],
           ["A campaign, 3.5 a month", 397.68, 0.552, 3.06]])
    write("compare_evppi.csv", ["assumption", "evppi", "evpi"],
          [["retention.Ours", 2.155, 3.06], ["margin.Ours", 1.36, 3.06],
           ["switching.Rival.Ours", 0.208, 3.06], ["switching.Rival.Rival", 0.0098, 3.06],
           ["switching.Rival.Lost", 0, 3.06]])


def sweep_vs_csvs():
    """A campaign against its base: the gain as the uplift (and its cost)
    vary, exact and with a Monte Carlo wobble."""
    us = [0.025 * k for k in range(9)]
    rows, be = [], []
    for u in us:
        for i, name in enumerate(STATES + ["total"]):
            ex = (-53.35 + 1830.0 * u + 1500.0 * u * u) if name in ("A", "total") else 0.0
            mc = ex - 0.8 if ex else 0.0
            se = 0.02 + 1.1 * u * 10 if ex else 0.0
            rows.append([u, name, ex, mc, se, mc - 1.7 * se, mc + 1.7 * se])
    write("sweep_diff.csv", ["campaign.retention_uplift", "state", "diff_exact", "diff_mean", "diff_se", "diff_lo90",
                             "diff_hi90"], rows)
    write("sweep_breakeven.csv", ["campaign.retention_uplift"], [[0.02871]])
    rows2, segs = [], []
    cs = [10.0 * k for k in range(11)]
    gain = lambda u, c: 385.0 * u / 0.2 - 5.98 * c * (1 - u)  # noqa: E731
    for u in us:
        for c in cs:
            rows2.append([u, c, gain(u, c), gain(u, c) - 1.0, 2.0])
    for u in us:  # the contour on each line of constant uplift, joined
        c = 385.0 * u / 0.2 / (5.98 * (1 - u))
        if c <= 100:
            segs.append((u, c))
    write("sweep2_diff.csv", ["campaign.retention_uplift", "campaign.cost", "diff_exact",
                              "diff_mean", "diff_se"], rows2)
    write("sweep2_breakeven.csv", ["campaign.retention_uplift_from", "campaign.cost_from",
                                   "campaign.retention_uplift_to", "campaign.cost_to"],
          [[a[0], a[1], b[0], b[1]] for a, b in zip(segs, segs[1:])])


def main():
    rng = random.Random(42)
    share_csv(rng)
    clv_csvs(rng)
    compare_csvs()
    tornado_csvs()
    sweep_csvs(rng)
    solve_csvs(rng)
    decision_csvs()
    sweep_vs_csvs()


if __name__ == "__main__":
    main()
