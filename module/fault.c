// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: fault injection for lynx's own allocations
 * (CONFIG_LYNX_FAULT_INJECTION, on kernels with FAULT_INJECTION_DEBUG_FS).
 *
 * /sys/kernel/debug/fail_lynx_alloc is a fault attribute as failslab's
 * (Documentation/fault-injection/fault-injection.rst): with it,
 * lynx_alloc_skb(), lynx_clone_skb() and a SYN's child socket fail in any
 * context, softirq included, where failslab's task filter cannot reach.
 * (fail_function would do the same through a kprobe, but on 6.1 its
 * handler runs as an NMI to lockdep and should_fail() takes the random
 * pool's lock there, which lockdep reports.)
 */
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <kunit/visibility.h>
#include <net/lynx.h>

static DECLARE_FAULT_ATTR(lynx_fail_alloc);
static struct dentry *lynx_fail_dir;

/* Whether this allocation is to fail; counts down the attribute's times. */
bool lynx_should_fail_alloc(void)
{
	return should_fail(&lynx_fail_alloc, 1);
}

void lynx_fail_alloc_init(void)
{
	/* Debugging aid: a failure leaves lynx working, without the file. */
	lynx_fail_dir = fault_create_debugfs_attr("fail_lynx_alloc", NULL,
						  &lynx_fail_alloc);
}

void lynx_fail_alloc_exit(void)
{
	debugfs_remove_recursive(lynx_fail_dir);
}

/**
 * lynx_fail_alloc_next - fail the next allocations, quietly (for KUnit)
 * @times: how many; 0 stops failing
 *
 * What "echo 100 > probability; echo @times > times; echo 0 > verbose"
 * under /sys/kernel/debug/fail_lynx_alloc does.
 */
void lynx_fail_alloc_next(int times)
{
	/* Off before the count changes, on after: an allocation between
	 * the two never fails more than asked.
	 */
	lynx_fail_alloc.probability = 0;
	lynx_fail_alloc.verbose = 0;
	lynx_fail_alloc.interval = 1;
	atomic_set(&lynx_fail_alloc.times, times ? times : 1);
	if (times)
		lynx_fail_alloc.probability = 100;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_fail_alloc_next);
