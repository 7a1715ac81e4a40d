# r_markovchain.R - the approach an analyst using R would take instead of
# clvsim: the markovchain package's rmarkovchain draws each customer's
# sequence of states, and base R turns the sequences into CLV.
#
# What it computes (the same work as clvsim's kernel, bench_chain.c):
# customers walk the textbook chain (docs/theory.md) one purchase per period for
# periods 0..T; each period counts the customers per state (share of
# wallet) and adds the state's margin, discounted by (1 + r)^-t, to the
# customer's CLV in that state.
#
# Method: per customer, the first state by sample() from the initial
# shares, then one rmarkovchain(n = T, t0 = first, include.t0 = TRUE) call
# (the package's Rcpp sampler) for the T + 1 states; the CLV per state is a
# vectorised sum over the sequence (margin[k] * discount factors); the
# sequences go into an integer matrix whose column counts give the shares.
# The 2-thread row splits the customers over 2 forked workers
# (parallel::mclapply, L'Ecuyer-CMRG streams).
#
# Invariant: the figure it times is right - it prints the mean CLV earned in
# state A, its standard error and the exact value (s0 P^t by matrix
# products); run.sh flags a row more than 5 standard errors off.
#
# Output: tab-separated "R threads steps seconds mean_A se_A exact_A", one
# line per thread count (best of the repeats).
# Usage: Rscript r_markovchain.R [-c customers] [-p periods] [-r repeats] [-t max_threads]

suppressPackageStartupMessages({
	library(markovchain)
	library(parallel)
})

states <- c("A", "B", "C")
P <- matrix(c(0.70, 0.20, 0.10,
              0.10, 0.80, 0.10,
              0.25, 0.15, 0.60), 3, byrow = TRUE, dimnames = list(states, states))
initial <- c(0.6, 0.3, 0.1)
margin <- c(500, 500, 500)
discount <- 0.09
chain <- new("markovchain", states = states, transitionMatrix = P)

# Options -c -p -r -t as for bench_chain.
opt <- function(args, flag, default) {
	i <- match(flag, args)
	if (is.na(i)) default else as.integer(args[i + 1])
}
args <- commandArgs(trailingOnly = TRUE)
customers <- opt(args, "-c", 1000L)
periods <- opt(args, "-p", 1000L)
repeats <- opt(args, "-r", 3L)
max_threads <- opt(args, "-t", 2L)

# n customers: sums of CLV in state A, of its square, and the state counts.
simulate <- function(n, periods) {
	disc <- (1 + discount)^-(0:periods)
	seqs <- matrix(0L, n, periods + 1)
	clv <- matrix(0, n, 3)
	for (i in seq_len(n)) {
		first <- sample(states, 1, prob = initial)
		k <- match(rmarkovchain(n = periods, object = chain, t0 = first, include.t0 = TRUE), states)
		w <- margin[k] * disc
		clv[i, ] <- c(sum(w[k == 1L]), sum(w[k == 2L]), sum(w[k == 3L]))
		seqs[i, ] <- k
	}
	counts <- sapply(1:3, function(j) colSums(seqs == j))
	list(sum = sum(clv[, 1]), sumsq = sum(clv[, 1]^2), counts = counts)
}

# Expected CLV earned in state A: sum_t (1 + r)^-t margin_A (s0 P^t)_A.
exact_clv_a <- function(periods) {
	share <- initial
	total <- 0
	for (t in 0:periods) {
		total <- total + margin[1] * share[1] * (1 + discount)^-t
		share <- as.vector(share %*% P)
	}
	total
}

# One timed pass with `threads` workers.
run_once <- function(threads) {
	sizes <- diff(round(seq(0, customers, length.out = threads + 1)))
	t0 <- proc.time()[["elapsed"]]
	parts <- if (threads == 1) list(simulate(customers, periods)) else
		mclapply(sizes, simulate, periods = periods, mc.cores = threads, mc.set.seed = TRUE)
	seconds <- proc.time()[["elapsed"]] - t0
	counts <- Reduce(`+`, lapply(parts, `[[`, "counts"))
	stopifnot(all(rowSums(counts) == customers))
	list(seconds = seconds, sum = sum(sapply(parts, `[[`, "sum")),
	     sumsq = sum(sapply(parts, `[[`, "sumsq")))
}

RNGkind("L'Ecuyer-CMRG")
set.seed(20240607)
exact <- exact_clv_a(periods)
for (threads in seq_len(max_threads)) {
	best <- Inf
	for (rep in seq_len(repeats)) {
		r <- run_once(threads)
		best <- min(best, r$seconds)
	}
	n <- customers
	mean <- r$sum / n
	se <- sqrt(max(r$sumsq / n - mean^2, 0) / (n - 1))
	cat(sprintf("R\t%d\t%.0f\t%.6f\t%.6f\t%.6f\t%.6f\n", threads, n * (periods + 1), best, mean,
	            se, exact))
}
