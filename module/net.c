// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: per network namespace state (struct lynx_net) and its sysctls,
 * net.lynx.node and net.lynx.ephemeral_ports.
 */
#include <linux/random.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/lynx.h>
#include <net/lynx_compat.h>
#include <net/lynx_dev.h>
#include <kunit/visibility.h>

unsigned int lynx_net_id __read_mostly;
EXPORT_SYMBOL_IF_KUNIT(lynx_net_id);

#define LYNX_EPH_LOW_DEFAULT	32768
#define LYNX_EPH_HIGH_DEFAULT	60999
#define LYNX_MAX_ORPHANS_DEFAULT	4096
#define LYNX_ORPHAN_TIMEOUT_DEFAULT	60	/* seconds */
/* SO_KEEPALIVE's defaults are TCP's: two hours idle, 9 probes 75 s apart. */
#define LYNX_KEEPALIVE_TIME_DEFAULT	7200
#define LYNX_KEEPALIVE_INTVL_DEFAULT	75
#define LYNX_KEEPALIVE_PROBES_DEFAULT	9

/* Unsolicited replies (resets, datagram refusals): ICMP's global limit. */
#define LYNX_REPLY_RATE_DEFAULT		1000	/* a second */
#define LYNX_REPLY_BURST_DEFAULT	50

/**
 * lynx_reply_allow - may the namespace send one more unsolicited reply?
 * @ln: the namespace
 *
 * A token bucket of net.lynx.reply_burst refilled at net.lynx.reply_rate
 * a second, as icmp_global_allow() with icmp_msgs_per_sec and
 * icmp_msgs_burst: forged frames to closed ports must not turn a host
 * into an amplifier.  A refused reply is counted.
 */
bool lynx_reply_allow(struct lynx_net *ln)
{
	unsigned long now = jiffies, delta, add;
	int burst = READ_ONCE(ln->reply_burst);
	bool ok;

	spin_lock_bh(&ln->reply_lock);
	delta = min_t(unsigned long, now - ln->reply_stamp, HZ);
	add = delta * READ_ONCE(ln->reply_rate) / HZ;
	/* Time is taken only in whole tokens: a slow rate still refills. */
	if (add) {
		ln->reply_credit = min_t(unsigned long, burst,
					 ln->reply_credit + add);
		ln->reply_stamp = now;
	}
	if (ln->reply_credit > burst)
		ln->reply_credit = burst;
	ok = ln->reply_credit > 0;
	if (ok)
		ln->reply_credit--;
	spin_unlock_bh(&ln->reply_lock);
	if (!ok)
		LYNX_INC_STATS(ln, LYNX_MIB_REPLY_RATELIMITED);
	return ok;
}

/* A random node id that is none of the reserved values. */
static u32 lynx_random_node(void)
{
	u32 node;

	do {
		node = get_random_u32();
	} while (node == 0 || node == LYNX_NODE_LOCAL ||
		 node == LYNX_NODE_ANY);
	return node;
}

static int lynx_sysctl_node(lynx_ctl_table *table, int write,
			    void *buffer, size_t *lenp, loff_t *ppos)
{
	struct lynx_net *ln = table->data;
	unsigned int node = READ_ONCE(ln->node);
	struct ctl_table tmp = {
		.data	= &node,
		.maxlen	= sizeof(node),
		.mode	= table->mode,
	};
	int err;

	err = proc_douintvec(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	/* Reserved: unset, the local alias in addresses, the wildcard. */
	if (node == 0 || node == LYNX_NODE_LOCAL || node == LYNX_NODE_ANY)
		return -EINVAL;
	WRITE_ONCE(ln->node, node);
	return 0;
}

static int lynx_sysctl_eph(lynx_ctl_table *table, int write,
			   void *buffer, size_t *lenp, loff_t *ppos)
{
	struct lynx_net *ln = table->data;
	int range[2] = { ln->eph_low, ln->eph_high };
	struct ctl_table tmp = {
		.data	= range,
		.maxlen	= sizeof(range),
		.mode	= table->mode,
		.extra1	= SYSCTL_ONE,
		.extra2	= SYSCTL_INT_MAX,
	};
	int err;

	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	if (range[0] > range[1])
		return -EINVAL;
	write_seqlock_bh(&ln->eph_lock);
	ln->eph_low = range[0];
	ln->eph_high = range[1];
	write_sequnlock_bh(&ln->eph_lock);
	return 0;
}

/* The algorithm by name, as net.ipv4.tcp_congestion_control: an unknown
 * one is ENOENT.
 */
static int lynx_sysctl_cc(lynx_ctl_table *table, int write,
			  void *buffer, size_t *lenp, loff_t *ppos)
{
	struct lynx_net *ln = table->data;
	char name[LYNX_CC_NAME_MAX];
	struct ctl_table tmp = {
		.data	= name,
		.maxlen	= sizeof(name),
		.mode	= table->mode,
	};
	int err, algo;

	strscpy(name, lynx_cc_name(READ_ONCE(ln->cc_algo)), sizeof(name));
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	algo = lynx_cc_lookup(name);
	if (algo < 0)
		return algo;
	WRITE_ONCE(ln->cc_algo, algo);
	return 0;
}

/* An orphan's lifetime, seconds: a day at most. */
static int lynx_orphan_timeout_max = 86400;
/* TCP's bounds: MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT. */
static int lynx_keepalive_secs_max = 32767;
static int lynx_keepalive_probes_max = 127;

/* Entries 0, 1 and 9 take the lynx_net, the others their own field. */
static const struct ctl_table lynx_sysctl_template[] = {
	{
		.procname	= "node",
		.mode		= 0644,
		.proc_handler	= lynx_sysctl_node,
	},
	{
		.procname	= "ephemeral_ports",
		.mode		= 0644,
		.proc_handler	= lynx_sysctl_eph,
	},
	{
		.procname	= "max_orphans",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_INT_MAX,
	},
	{
		.procname	= "orphan_timeout",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &lynx_orphan_timeout_max,
	},
	{
		.procname	= "keepalive_time",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &lynx_keepalive_secs_max,
	},
	{
		.procname	= "keepalive_intvl",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &lynx_keepalive_secs_max,
	},
	{
		.procname	= "keepalive_probes",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &lynx_keepalive_probes_max,
	},
	{
		.procname	= "reply_rate",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_INT_MAX,
	},
	{
		.procname	= "reply_burst",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_INT_MAX,
	},
	{
		.procname	= "congestion_control",
		.maxlen		= LYNX_CC_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= lynx_sysctl_cc,
	},
	{
		.procname	= "sack",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{ }
};

/* Its entries, the sentinel not counted (lynx_register_net_sysctl()). */
#define LYNX_SYSCTL_ENTRIES	(ARRAY_SIZE(lynx_sysctl_template) - 1)

static int lynx_sysctl_init(struct lynx_net *ln)
{
	struct ctl_table *table;

	table = kmemdup(lynx_sysctl_template, sizeof(lynx_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	table[0].data = ln;
	table[1].data = ln;
	table[2].data = &ln->max_orphans;
	table[3].data = &ln->orphan_timeout;
	table[4].data = &ln->keepalive_time;
	table[5].data = &ln->keepalive_intvl;
	table[6].data = &ln->keepalive_probes;
	table[7].data = &ln->reply_rate;
	table[8].data = &ln->reply_burst;
	table[9].data = ln;
	table[10].data = &ln->sack;
	/* (one more entry in the template, one more line here) */
	BUILD_BUG_ON(LYNX_SYSCTL_ENTRIES != 11);

	ln->sysctl_hdr = lynx_register_net_sysctl(ln->net, "net/lynx", table,
						  LYNX_SYSCTL_ENTRIES);
	if (!ln->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

static void lynx_sysctl_exit(struct lynx_net *ln)
{
	const struct ctl_table *table = ln->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(ln->sysctl_hdr);
	kfree(table);
}

static int __net_init lynx_net_init_one(struct net *net)
{
	struct lynx_net *ln = lynx_net(net);
	int err, t;

	ln->net = net;
	ln->node = lynx_random_node();
	seqlock_init(&ln->eph_lock);
	ln->eph_low = LYNX_EPH_LOW_DEFAULT;
	ln->eph_high = LYNX_EPH_HIGH_DEFAULT;
	spin_lock_init(&ln->bind_lock);
	ln->bind_hash = kvcalloc(LYNX_BIND_TYPES, sizeof(*ln->bind_hash),
				 GFP_KERNEL);
	if (!ln->bind_hash)
		return -ENOMEM;
	for (t = 0; t < LYNX_BIND_TYPES; t++)
		__hash_init(ln->bind_hash[t], ARRAY_SIZE(ln->bind_hash[t]));
	spin_lock_init(&ln->conn_lock);
	ln->conn_hash = kvmalloc_array(1 << LYNX_CONN_HASH_BITS,
				       sizeof(*ln->conn_hash), GFP_KERNEL);
	if (!ln->conn_hash) {
		err = -ENOMEM;
		goto err_bind;
	}
	/* Each chain ends in its own index: see lynx_conn_lookup(). */
	for (t = 0; t < 1 << LYNX_CONN_HASH_BITS; t++)
		INIT_HLIST_NULLS_HEAD(&ln->conn_hash[t], t);
	spin_lock_init(&ln->sk_list_lock);
	INIT_HLIST_HEAD(&ln->sk_list);
	spin_lock_init(&ln->raw_lock);
	INIT_HLIST_HEAD(&ln->raw_list);
	atomic_set(&ln->orphans, 0);
	ln->max_orphans = LYNX_MAX_ORPHANS_DEFAULT;
	ln->orphan_timeout = LYNX_ORPHAN_TIMEOUT_DEFAULT;
	spin_lock_init(&ln->reply_lock);
	ln->reply_rate = LYNX_REPLY_RATE_DEFAULT;
	ln->reply_burst = LYNX_REPLY_BURST_DEFAULT;
	ln->reply_credit = LYNX_REPLY_BURST_DEFAULT;
	ln->reply_stamp = jiffies;
	ln->keepalive_time = LYNX_KEEPALIVE_TIME_DEFAULT;
	ln->keepalive_intvl = LYNX_KEEPALIVE_INTVL_DEFAULT;
	ln->keepalive_probes = LYNX_KEEPALIVE_PROBES_DEFAULT;
	ln->cc_algo = LYNX_CC_CUBIC;	/* TCP's default */
	ln->sack = 1;			/* as net.ipv4.tcp_sack */
	lynx_neigh_init(ln);

	ln->mib = alloc_percpu(struct lynx_mib_stats);
	if (!ln->mib) {
		err = -ENOMEM;
		goto err_neigh;
	}
	err = lynx_sysctl_init(ln);
	if (err)
		goto err_mib;
	err = lynx_proc_init_net(net);
	if (err)
		goto err_sysctl;
	ln->lo = lynx_dev_create_lo(net);
	if (IS_ERR(ln->lo)) {
		err = PTR_ERR(ln->lo);
		ln->lo = NULL;
		goto err_proc;
	}
	return 0;

err_proc:
	lynx_proc_exit_net(net);
err_sysctl:
	lynx_sysctl_exit(ln);
err_mib:
	free_percpu(ln->mib);
err_neigh:
	lynx_neigh_exit(ln);
	kvfree(ln->conn_hash);
err_bind:
	kvfree(ln->bind_hash);
	return err;
}

/**
 * lynx_net_pre_exit - stop the namespace's input before its state goes
 * @net: the dying namespace (or one whose setup failed after lynx's init)
 *
 * lynx is a pernet device operation: its exit runs before the core takes
 * the namespace's remaining devices down, and they go on receiving until
 * then.  From here on lynx_rcv() drops every frame of @net; the core waits
 * for a grace period between the pre_exit and the exit methods, so no
 * receiver that missed the flag runs by the time lynx_net_exit_one() frees
 * what it used.  Sockets pin their namespace: none is left here.
 */
static void __net_exit lynx_net_pre_exit(struct net *net)
{
	WRITE_ONCE(lynx_net(net)->dying, true);
}

static void __net_exit lynx_net_exit_one(struct net *net)
{
	struct lynx_net *ln = lynx_net(net);
	struct net_device *lo = ln->lo;

	lynx_proc_exit_net(net);
	lynx_sysctl_exit(ln);
	/* Neighbours hold device references: drop them before lynxlo goes. */
	lynx_neigh_exit(ln);
	/* Nobody finds lynxlo once its unregistration has begun. */
	WRITE_ONCE(ln->lo, NULL);
	lynx_dev_destroy_lo(lo);
	free_percpu(ln->mib);
	ln->mib = NULL;
	WARN_ON_ONCE(!hlist_empty(&ln->sk_list));
	WARN_ON_ONCE(!hlist_empty(&ln->raw_list));
	kvfree(ln->conn_hash);
	kvfree(ln->bind_hash);
}

static struct pernet_operations lynx_net_ops = {
	.init		= lynx_net_init_one,
	.pre_exit	= lynx_net_pre_exit,
	.exit		= lynx_net_exit_one,
	.id		= &lynx_net_id,
	.size		= sizeof(struct lynx_net),
};

/* A device pernet operation, not a subsys one: lynxlo must be registered
 * after the namespace's "lo" (which must get ifindex 1), and torn down
 * before the core unregisters the devices that remain.
 */
int lynx_net_init(void)
{
	return register_pernet_device(&lynx_net_ops);
}

void lynx_net_exit(void)
{
	unregister_pernet_device(&lynx_net_ops);
	/* The neighbour tables' call_rcu() callbacks run this module's code,
	 * and one may still run although it already dropped what it held:
	 * wait for all of them, always, before the module can go.
	 */
	rcu_barrier();
}
