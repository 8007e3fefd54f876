/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection for the lynx selftests and fuzzers (debug kernel: see
 * scripts/debug.config and the kernel's Documentation/fault-injection/).
 *
 * Three injectors, each with its own probability:
 *   failslab        slab allocations of the tasks that ask
 *                   (lynx_fault_task(): /proc/thread-self/make-it-fail)
 *   fail_page_alloc page allocations of those same tasks
 *   fail_lynx_alloc lynx's own allocation points (its frame buffers and a
 *                   SYN's child socket: module/fault.c), in every
 *                   context: softirq, where frames arrive and timers
 *                   fire, included
 *
 * lynx_fault_on() writes a marker to the kernel log, lynx_fault_off() a
 * second: between them vm-run accepts the bare stack dumps the kernel
 * prints for an allocation that failed (warn_alloc()), and nothing else.
 * Each injector counts down its "times" from LYNX_FAULT_TIMES; what is
 * gone from it is the number of failures injected.
 */
#ifndef LYNX_FAULT_H
#define LYNX_FAULT_H

#include <string.h>
#include <sys/mount.h>

#include "lynx_util.h"

#define LYNX_FAULT_DEBUGFS	"/sys/kernel/debug"
#define LYNX_FAULT_TIMES	100000000L

enum lynx_fault_kind { LYNX_FAULT_SLAB, LYNX_FAULT_PAGE, LYNX_FAULT_FUNC,
		       LYNX_FAULT_N };

static const char *const lynx_fault_dirs[LYNX_FAULT_N] = {
	LYNX_FAULT_DEBUGFS "/failslab",
	LYNX_FAULT_DEBUGFS "/fail_page_alloc",
	LYNX_FAULT_DEBUGFS "/fail_lynx_alloc",
};

static inline int lynx_fault_set(enum lynx_fault_kind k, const char *attr,
				 const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", lynx_fault_dirs[k], attr);
	return lynx_write_file(path, val);
}

static inline void lynx_fault_kmsg(const char *what)
{
	lynx_write_file("/dev/kmsg", what);
}

/* 1 when all three injectors are there (the debug kernel and its lynx.ko). */
static inline int lynx_fault_available(void)
{
	int k;

	if (access(lynx_fault_dirs[LYNX_FAULT_SLAB], F_OK))
		mount("debugfs", LYNX_FAULT_DEBUGFS, "debugfs", 0, NULL);
	for (k = 0; k < LYNX_FAULT_N; k++)
		if (access(lynx_fault_dirs[k], F_OK))
			return 0;
	return 1;
}

/**
 * lynx_fault_on() - start injecting
 * @pct: probability in percent of failing one allocation, per injector
 *       (LYNX_FAULT_SLAB, _PAGE, _FUNC); 0 leaves that one off
 *
 * Return: 0, or -1 (errno set) when the kernel (or lynx.ko, built without
 * CONFIG_LYNX_FAULT_INJECTION) lacks an injector.
 */
static inline int lynx_fault_on(const int pct[LYNX_FAULT_N])
{
	char buf[32];
	int k;

	if (!lynx_fault_available()) {
		errno = ENOENT;
		return -1;
	}
	lynx_fault_kmsg("lynx-fault-injection: on");
	/* Only the tasks that ask; every allocation of theirs may fail. */
	if (lynx_fault_set(LYNX_FAULT_SLAB, "task-filter", "Y") ||
	    lynx_fault_set(LYNX_FAULT_PAGE, "task-filter", "Y") ||
	    lynx_fault_set(LYNX_FAULT_FUNC, "task-filter", "N") ||
	    lynx_fault_set(LYNX_FAULT_SLAB, "ignore-gfp-wait", "N") ||
	    lynx_fault_set(LYNX_FAULT_PAGE, "ignore-gfp-wait", "N") ||
	    /* user pages (page faults) stay: the test, not the kernel, would die */
	    lynx_fault_set(LYNX_FAULT_PAGE, "ignore-gfp-highmem", "Y"))
		return -1;
	snprintf(buf, sizeof(buf), "%ld", LYNX_FAULT_TIMES);
	for (k = 0; k < LYNX_FAULT_N; k++) {
		char p[16];

		snprintf(p, sizeof(p), "%d", pct[k]);
		if (lynx_fault_set(k, "verbose", "0") ||
		    lynx_fault_set(k, "interval", "1") ||
		    lynx_fault_set(k, "times", buf) ||
		    lynx_fault_set(k, "probability", p))
			return -1;
	}
	return 0;
}

/* Whether the calling thread's slab and page allocations may fail. */
static inline int lynx_fault_task(int on)
{
	return lynx_write_file("/proc/thread-self/make-it-fail", on ? "1" : "0");
}

/**
 * lynx_fault_off() - stop injecting
 * @injected: where to add each injector's failures (may be NULL)
 *
 * Return: the failures injected since lynx_fault_on(), all injectors.
 */
static inline long lynx_fault_off(long injected[LYNX_FAULT_N])
{
	char path[160], buf[32];
	long total = 0, n;
	int k;

	for (k = 0; k < LYNX_FAULT_N; k++)
		lynx_fault_set(k, "probability", "0");
	for (k = 0; k < LYNX_FAULT_N; k++) {
		snprintf(path, sizeof(path), "%s/times", lynx_fault_dirs[k]);
		n = 0;
		if (lynx_read_file(path, buf, sizeof(buf)) > 0)
			n = LYNX_FAULT_TIMES - atol(buf);
		if (injected)
			injected[k] += n;
		total += n;
	}
	lynx_fault_kmsg("lynx-fault-injection: off");
	return total;
}

#endif /* LYNX_FAULT_H */
