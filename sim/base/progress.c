/*
 * progress.c - stage base: progress bar with ETA and the long-run
 * prediction (progress.h).
 */
#include "base/progress.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define BAR_WIDTH 30

double progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_start(progress_bar *p, bool draw, bool predict, double steps,
                    const char *steps_unit, int threads)
{
	memset(p, 0, sizeof *p);
	p->out = stderr;
	p->draw = draw;
	p->predict = predict;
	p->t0 = progress_now();
	p->last_draw = -1.0;
	p->steps = steps;
	p->steps_unit = steps_unit;
	p->threads = threads;
}

void progress_duration(double seconds, char *buf, size_t size)
{
	double s = seconds < 0 || !isfinite(seconds) ? 0.0 : seconds;

	if (s < 59.5)
		snprintf(buf, size, "%.0f s", s);
	else if (s < 3600.0 - 0.5) {
		long t = lround(s);
		snprintf(buf, size, "%ld min %02ld s", t / 60, t % 60);
	} else {
		long m = lround(s / 60.0);
		snprintf(buf, size, "%ld h %02ld min", m / 60, m % 60);
	}
}

/* Once, after the pilot: the predicted length when over a minute. */
static void predict(progress_bar *p, double elapsed, double done, double total)
{
	char when[32];
	double whole;

	if (!p->predict || p->predicted || elapsed < PROGRESS_PILOT_S || !(done > 0.0))
		return;
	p->predicted = true;
	whole = elapsed * total / done;
	if (whole <= PROGRESS_LONG_RUN_S)
		return;
	progress_duration(whole, when, sizeof when);
	if (p->draw)
		fputs("\r\033[K", p->out); /* the bar's line: a terminal */
	fprintf(p->out, "clvsim: this run will take about %s", when);
	if (p->steps > 0 && p->steps_unit != NULL)
		fprintf(p->out, " (%.2g %s at %.2g a second on %d thread%s, measured over its first "
		        "%.0f s)", p->steps, p->steps_unit, p->steps / whole, p->threads,
		        p->threads == 1 ? "" : "s", elapsed);
	fputs("\n", p->out);
	fflush(p->out);
}

void progress_update(progress_bar *p, double done, double total, uint64_t items_done,
                     uint64_t items_total, const char *item)
{
	double now = progress_now(), elapsed = now - p->t0, frac;
	bool end = items_done >= items_total;
	int filled;
	char eta[32];

	predict(p, elapsed, done, total);
	if (!p->draw || (!end && now - p->last_draw < PROGRESS_REDRAW_S))
		return;
	p->last_draw = now;
	frac = total > 0 ? fmin(1.0, done / total) : 1.0;
	filled = (int)(BAR_WIDTH * frac);
	fprintf(p->out, "\r[%.*s%*s] %3.0f%%  %s %llu/%llu", filled,
	        "##############################", BAR_WIDTH - filled, "", 100.0 * frac, item,
	        (unsigned long long)items_done, (unsigned long long)items_total);
	if (end) {
		progress_duration(elapsed, eta, sizeof eta);
		fprintf(p->out, "  took %s\033[K\n", eta);
	} else if (done > 0 && elapsed >= PROGRESS_REDRAW_S) {
		progress_duration(elapsed * (total - done) / done, eta, sizeof eta);
		fprintf(p->out, "  ETA %s\033[K", eta);
	} else
		fputs("  ETA ...\033[K", p->out);
	fflush(p->out);
}
