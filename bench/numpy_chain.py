#!/usr/bin/python3
"""numpy_chain.py - the approach an analyst would take instead of clvsim:
a vectorised NumPy simulation of the same brand-switching chain.

What it computes (the same work as clvsim's kernel, bench_chain.c):
customers walk the textbook chain (docs/theory.md) one purchase per period for
periods 0..T; each period counts the customers per state (share of
wallet) and adds the state's margin, discounted by (1 + r)^-t, to the
customer's CLV in that state.

Method: N customers in parallel arrays; per step one uniform per customer
(numpy.random.Generator, PCG64, float32 draws: the fastest of the
variants tried), the next state by comparing it with the current row's
cumulative probabilities (two gathers, two compares), the CLV per state
accumulated through a flat index (customer * 3 + state). Every operation
is a whole-array NumPy call writing into preallocated buffers, so Python's
own overhead is a few microseconds per step, not per customer.

Threads: NumPy's element-wise operations run on one core, so the 2-thread
row splits the customers over 2 worker processes (multiprocessing, started
before timing), each with its own SeedSequence child stream.

Invariant: the figure it times is right - it prints the mean CLV earned in
state A, its standard error and the exact value (s0 P^t by matrix
products), and run.sh flags a row more than 5 standard errors off.

Output: tab-separated "numpy threads steps seconds mean_A se_A exact_A",
one line per thread count (best of --repeat timings).
Usage: /usr/bin/python3 numpy_chain.py [-c customers] [-p periods] [-r repeats] [-t max_threads]
"""
import argparse
import multiprocessing
import time

import numpy as np

P = np.array([[0.70, 0.20, 0.10],
              [0.10, 0.80, 0.10],
              [0.25, 0.15, 0.60]])
INITIAL = np.array([0.6, 0.3, 0.1])
MARGIN = np.full(3, 500.0)
DISCOUNT = 0.09
SEED = 20240607
CHUNK = 100_000  # customers per vectorised pass (keeps the arrays in cache)


def walk(n, periods, rng):
    """Simulate n customers; return (CLV per state as an n x 3 array, counts (T+1) x 3)."""
    cum = np.cumsum(P, axis=1).astype(np.float32)
    c0, c1 = cum[:, 0].copy(), cum[:, 1].copy()
    disc = (1.0 + DISCOUNT) ** -np.arange(periods + 1)
    u0 = rng.random(n)
    x = (u0 >= INITIAL[0]).astype(np.intp) + (u0 >= INITIAL[0] + INITIAL[1])
    clv = np.zeros(n * 3)
    base = np.arange(n) * 3
    counts = np.zeros((periods + 1, 3), np.int64)
    u = np.empty(n, np.float32)
    idx = np.empty(n, np.intp)
    for t in range(periods + 1):
        counts[t] = np.bincount(x, minlength=3)
        np.add(base, x, out=idx)
        clv[idx] += MARGIN[x] * disc[t]
        rng.random(out=u, dtype=np.float32)
        x = (u >= c0[x]).astype(np.intp) + (u >= c1[x])
    return clv.reshape(n, 3), counts


def simulate(n, periods, seed_seq):
    """n customers in chunks; return (sum of CLV_A, sum of squares, counts)."""
    rng = np.random.default_rng(seed_seq)
    s = ss = 0.0
    counts = np.zeros((periods + 1, 3), np.int64)
    for first in range(0, n, CHUNK):
        clv, cnt = walk(min(CHUNK, n - first), periods, rng)
        s += clv[:, 0].sum()
        ss += (clv[:, 0] ** 2).sum()
        counts += cnt
    return s, ss, counts


def exact_clv_a(periods):
    """Expected CLV earned in state A: sum_t (1 + r)^-t margin_A (s0 P^t)_A."""
    share, total = INITIAL.copy(), 0.0
    for t in range(periods + 1):
        total += MARGIN[0] * share[0] * (1.0 + DISCOUNT) ** -t
        share = share @ P
    return total


def run_once(n, periods, threads, pool, rep):
    """One timed pass with `threads` workers; return (seconds, sum, sumsq)."""
    children = np.random.SeedSequence([SEED, rep]).spawn(threads)
    shares = [n // threads + (k < n % threads) for k in range(threads)]
    t0 = time.perf_counter()
    if threads == 1:
        parts = [simulate(n, periods, children[0])]
    else:
        parts = pool.starmap(simulate, [(shares[k], periods, children[k]) for k in range(threads)])
    seconds = time.perf_counter() - t0
    counts = sum(p[2] for p in parts)
    assert (counts.sum(axis=1) == n).all()
    return seconds, sum(p[0] for p in parts), sum(p[1] for p in parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-c", "--customers", type=int, default=50_000)
    ap.add_argument("-p", "--periods", type=int, default=1000)
    ap.add_argument("-r", "--repeat", type=int, default=3)
    ap.add_argument("-t", "--max-threads", type=int, default=2)
    a = ap.parse_args()
    n, periods = a.customers, a.periods
    exact = exact_clv_a(periods)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(a.max_threads) as pool:
        pool.starmap(simulate, [(1000, 10, np.random.SeedSequence(0))] * a.max_threads)  # warm up
        for threads in range(1, a.max_threads + 1):
            best = None
            for rep in range(a.repeat):
                seconds, s, ss = run_once(n, periods, threads, pool, rep)
                best = seconds if best is None else min(best, seconds)
            mean = s / n
            se = np.sqrt(max(ss / n - mean * mean, 0.0) * n / (n - 1) / n)
            print("numpy\t%d\t%d\t%.6f\t%.6f\t%.6f\t%.6f"
                  % (threads, n * (periods + 1), best, mean, se, exact), flush=True)


if __name__ == "__main__":
    main()
