// SPDX-License-Identifier: GPL-2.0
/*
 * lynx_test: KUnit suites for lynx internals.  Every suite lives in its own
 * file next to the concept it tests; this file only holds the module glue.
 * The suites run when the module is loaded (results in dmesg and in
 * /sys/kernel/debug/kunit/<suite>/results).
 */
#include <linux/module.h>

MODULE_DESCRIPTION("KUnit tests for the lynx address family");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
