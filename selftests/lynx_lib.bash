# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by the lynx shell selftests (sourced; not a test itself): a tiny
# TAP/kselftest reporter, namespace helpers and waiting helpers.
#
#   lx_test NAME FUNC [S]  run FUNC; 0 = pass, $KSFT_SKIP = skip, else
#                       fail; a "# FAIL" line in its output (lx_fail,
#                       lx_ok, lx_not) fails it whatever FUNC returned, and
#                       so does running longer than S seconds (default
#                       LX_TEST_TIMEOUT; stock seconds, times LX_SLOW)
#   lx_finish           print the Totals line and exit accordingly
#   LX_ONLY="NAME..."   (environment) run only those tests
#
# A check is "cond || lx_fail WHY || return 1" (lx_fail returns 1); never
# "cond && lx_fail WHY && return 1", which goes on and passes.

KSFT_SKIP=4
LX_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOL=$LX_DIR/lynx_tool
LX_TOP=$(mktemp -d /tmp/lynx-sh.XXXXXX)
# The scratch directories of the first tests, made at once (lx_test makes
# any later one): a mkdir a test costs a third of a second on the debug
# kernel.
mkdir "$LX_TOP"/{1..16}
# Scratch of the running test: each test gets its own directory (see
# lx_test), so a waiter never reads a file an earlier test left behind.
LX_TMP=$LX_TOP
lx_n=0 lx_pass=0 lx_fail=0 lx_skip=0
# Each lx_test's limit in seconds on the stock kernel; times LX_SLOW, the
# debug kernel's factor from lynx_util.h (selftests/run computes a
# script's budget from this line: keep it a plain number).
LX_TEST_TIMEOUT=120
LX_SLOW=$("$TOOL" slowdown 2>/dev/null) || LX_SLOW=1

echo "TAP version 13"

lx_cleanup() {
	local ns pid
	for pid in $(jobs -p); do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
	# One ip for all (-force: on past one already gone).
	[ -f "$LX_TOP/netns" ] && while read -r ns; do
		echo "netns del $ns"
	done < "$LX_TOP/netns" | ip -force -batch - 2>/dev/null
	rm -rf "$LX_TOP"
}
trap lx_cleanup EXIT

# A sleep without fork and exec: a read that times out on a FIFO nobody
# writes to.  The waiting loops below poll every 50 ms; with an external
# sleep and grep each poll costs two processes, which on the debug kernel
# keeps a CPU busy that the test itself needs.
mkfifo "$LX_TOP/nap" && exec {LX_NAP_FD}<>"$LX_TOP/nap"
lx_nap() { read -r -t "${1:-0.05}" -u "$LX_NAP_FD" _; }

# Whether FILE has a line matching the ERE PATTERN (grep -Eq without a
# process).
lx_file_has() {
	local line
	[ -r "$1" ] || return 1
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line =~ $2 ]] && return 0
	done < "$1"
	return 1
}

# Whether a line of TEXT matches the ERE PATTERN (grep -Eq <<< TEXT
# without a process).
lx_has() {
	local line
	while IFS= read -r line; do
		[[ $line =~ $2 ]] && return 0
	done <<< "$1"
	return 1
}

# How many lines of FILE match the ERE PATTERN (grep -Ec without a
# process).
lx_count() {
	local line n=0
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line =~ $2 ]] && n=$((n + 1))
	done < "$1"
	echo "$n"
}

lx_log() { echo "# $*"; }

# Logs TEXT line by line, indented ("sed 's/^/#   /'" without a process).
lx_show() {
	local line
	while IFS= read -r line; do echo "#   $line"; done <<< "$1"
}

# Skips the current test, saying why: cmd || { lx_skip "why"; return $KSFT_SKIP; }
lx_skip() { lx_log "SKIP: $*"; echo "$*" > "$LX_TMP/skip"; }

# Fails the current test with a message: cmd || lx_fail "why"
lx_fail() { lx_log "FAIL: $*"; return 1; }

# Runs a command that must succeed, logging it when it does not.
lx_ok() {
	local out rc
	out=$("$@" 2>&1); rc=$?
	[ "$rc" -eq 0 ] && return 0
	lx_log "FAIL ($rc): $*"
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	return 1
}

# Runs a command that must fail.
lx_not() {
	if "$@" >/dev/null 2>&1; then
		lx_log "FAIL: unexpectedly succeeded: $*"
		return 1
	fi
	return 0
}

# Every process's children, from one pass over /proc read by bash:
# lx_kids[PPID]="PID PID ...".  No ps: on the debug kernel under TCG one
# ps costs about 3 s (a fork, an exec and a read of every process's
# files), and each test ended with two or more.
declare -A lx_kids=()
lx_proc_tree() {
	local f line fields
	lx_kids=()
	for f in /proc/[0-9]*/stat; do
		{ read -r line < "$f"; } 2>/dev/null || continue
		read -r -a fields <<< "${line##*) }"	# state ppid ...
		lx_kids[${fields[1]}]+="${f:6:-5} "
	done
}

# Kills pid and everything below it in lx_kids (children first), never
# the calling shell itself.
lx_kill_below() {
	local c
	for c in ${lx_kids[$1]:-}; do
		[ "$c" = "$BASHPID" ] || lx_kill_below "$c"
	done
	kill -9 "$1" 2>/dev/null
}

# Kills pid and everything below it (by pid, children first).
lx_kill_tree() {
	lx_proc_tree
	lx_kill_below "$1"
}

# The watchdog of a test: after $2 seconds, fails and kills it (pid $1).
lx_watchdog() {
	local f
	read -r -t "$2" -u "$LX_NAP_FD" _
	lx_log "FAIL: timed out after $2 s"
	# What the test's programs said by then (their status lines).
	for f in "$LX_TMP"/*.tx "$LX_TMP"/*.rx "$LX_TMP"/pair.*; do
		[ -s "$f" ] || continue
		lx_log "  ${f##*/}: $(tail -c 300 "$f" | tr '\n' ' ')"
	done
	lx_kill_tree "$1"
}

# "tee FILE" in bash: the test's lines as they come, and in FILE.
lx_tee() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line"
		printf '%s\n' "$line" >&3
	done 3> "$1"
}

lx_test() {
	local name=$1 fn=$2 limit=${3:-$LX_TEST_TIMEOUT} rc t0=$SECONDS out
	# LX_ONLY="name..." runs only those (a quick check while working).
	[ -z "${LX_ONLY:-}" ] || [[ " $LX_ONLY " == *" $name "* ]] || return 0
	lx_n=$((lx_n + 1))
	out=$LX_TOP/$lx_n.out
	lx_log "RUN $name"
	( set +e; LX_TMP=$LX_TOP/$lx_n; [ -d "$LX_TMP" ] || mkdir "$LX_TMP" || exit 1
	  me=$BASHPID	# (in "cmd &" it would be cmd's own)
	  lx_watchdog "$me" $((limit * LX_SLOW)) &
	  wd=$!
	  "$fn"; rc=$?
	  # Nothing a test started outlives it (and holds tee's pipe).
	  { lx_proc_tree
	    for c in ${lx_kids[$me]:-}; do lx_kill_below "$c"; done
	    wait; } 2>/dev/null
	  exit "$rc" ) 2>&1 | lx_tee "$out"
	rc=${PIPESTATUS[0]}
	lx_log "$name: $((SECONDS - t0)) s"
	# A failure line fails the test even if the function went on and
	# returned 0.
	if [ "$rc" -eq 0 ] || [ "$rc" -eq "$KSFT_SKIP" ]; then
		if lx_file_has "$out" '^# *FAIL'; then
			lx_log "$name: failure lines in its output, but it returned $rc"
			rc=1
		fi
	fi
	if [ "$rc" -eq 0 ]; then
		echo "ok $lx_n $name"; lx_pass=$((lx_pass + 1))
	elif [ "$rc" -eq "$KSFT_SKIP" ]; then
		echo "ok $lx_n $name # SKIP $(cat "$LX_TOP/$lx_n/skip" 2>/dev/null)"
		lx_skip=$((lx_skip + 1))
	else
		echo "not ok $lx_n $name"; lx_fail=$((lx_fail + 1))
	fi
}

lx_finish() {
	echo "1..$lx_n"
	echo "# Totals: pass:$lx_pass fail:$lx_fail xfail:0 xpass:0 skip:$lx_skip error:0"
	[ "$lx_fail" -eq 0 ]
	exit $?
}

# A fresh namespace named lx_<name>_<pid>, deleted at exit (tests run in
# subshells, so the list is kept in a file).  Prints the name.
lx_netns() {
	local ns="lx_$1_$$"
	lx_netns_add "$ns" || return 1
	echo "$ns"
}

# Adds the namespaces NAME... with one ip (on the debug kernel each ip
# started costs more than the namespace it makes), deleted at exit.
lx_netns_add() {
	lx_netns_keep "$@"
	printf 'netns add %s\n' "$@" | ip -batch -
}

# Lists the namespaces NAME... for deletion at exit.
lx_netns_keep() { printf '%s\n' "$@" >> "$LX_TOP/netns"; }

# Runs CMD in namespace NS: "ip netns exec" without the private mount
# namespace and /sys it builds, which on the debug kernel cost more than
# most commands run in it.
lx_in() { "$TOOL" -N "$1" exec "${@:2}"; }

# The value of COUNTER in NS's /proc/net/lynx_stat.
lx_stat() {	# ns counter
	local name value
	while read -r name value; do
		[ "$name" = "$2" ] && { echo "$value"; return 0; }
	done <<< "$("$TOOL" -N "$1" cat /proc/net/lynx_stat)"
	return 1
}

# The packets DEV in NS received (rx) or sent (tx), from "ip -s link
# show" without an awk beside it.
lx_link_stat() {	# ns dev rx|tx
	local -a f
	local want=
	while read -r -a f; do
		if [ -n "$want" ]; then
			echo "${f[1]}"
			return 0
		fi
		[ "${f[0]}" = "${3^^}:" ] && want=1
	done <<< "$(ip -n "$1" -s link show "$2")"
	return 1
}

# The Ethernet address of DEV in NS (nothing when it has none).
lx_mac() {	# ns dev
	[[ $(ip -n "$1" -o link show "$2") =~ link/ether\ ([0-9a-f:]+) ]] &&
		echo "${BASH_REMATCH[1]}"
}

# Node id (decimal) of a namespace.
lx_node() { "$TOOL" -N "$1" node; }
lx_hex() { printf '%08x' "$1"; }

# Adds an UP lynx device DEV to namespace NS.
lx_dev() {
	ip -n "$1" link add "$2" up type lynx
}

# Waits until FILE contains PATTERN (grep -E), up to SECONDS (default 10;
# the stock kernel's, times LX_SLOW); gives up early when PID (if given)
# has exited.
lx_wait_for() {
	local file=$1 pat=$2 t=${3:-10} pid=${4:-} i
	for ((i = 0; i < t * LX_SLOW * 20; i++)); do
		lx_file_has "$file" "$pat" && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			lx_file_has "$file" "$pat" && return 0
			break
		fi
		lx_nap
	done
	lx_log "timed out waiting for '$pat' in $file:"
	sed 's/^/#   /' "$file" 2>/dev/null | head -20
	return 1
}

# Starts "lynx_tool recv" in NS in the background, output in FILE, and
# waits for it to be bound.  Sets LX_PID.
lx_recv_bg() {
	local ns=$1 file=$2; shift 2
	# Empty before the receiver starts: the waiter must not see an
	# earlier run's "ready" before the new one truncates the file.
	: > "$file"
	"$TOOL" -N "$ns" recv "$@" > "$file" 2>&1 &
	LX_PID=$!
	lx_wait_for "$file" '^(ready|error)' 10 "$LX_PID" && lx_file_has "$file" '^ready'
}

# Whether background PID has ended: gone, or a zombie not reaped yet.
# kill -0 alone is not enough: bash reaps a finished background child
# when SIGCHLD comes, and a SIGCHLD can go unnoticed while a "read -t"
# (lx_nap) times out; the zombie then answers kill -0 until the shell
# next forks (lynx_pair.sh saw a stream-send that had printed its last
# line "still running" for 10 minutes).  No process: /proc, read by bash.
lx_ended() {
	local line
	kill -0 "$1" 2>/dev/null || return 0
	read -r line < "/proc/$1/stat" 2>/dev/null || return 0
	line=${line##*) }
	[ "${line%% *}" = Z ]
}

# How late this guest's timers fire meanwhile: in the background, sleeps
# the given milliseconds one after the other (read -t, no process) and
# writes to FILE how many ms after their sum it woke.  A TCG guest
# starved of host CPU (make check runs nine guests on two CPUs) fires
# every timer late, the kernel's as well as ours: a bound on how long a
# chain of the kernel's timeouts takes adds what lx_lateness then reads
# (started with the same chain at the same time).  Sets LX_LATE_PID.
lx_lateness_bg() {	# file ms...
	local file=$1
	shift
	(
		t0=${EPOCHREALTIME/./} sum=0
		for ms in "$@"; do
			printf -v t '%d.%03d' $((ms / 1000)) $((ms % 1000))
			read -r -t "$t" -u "$LX_NAP_FD" _
			sum=$((sum + ms))
		done
		late=$(( (${EPOCHREALTIME/./} - t0) / 1000 - sum ))
		echo $(( late > 0 ? late : 0 )) > "$file"
	) &
	LX_LATE_PID=$!
}

# What lx_lateness_bg measured: waits for it to finish, sets LX_LATE (ms).
# (Not in $(...): a subshell cannot wait for its parent's child.)
lx_lateness() {	# file
	wait "$LX_LATE_PID" 2>/dev/null
	read -r LX_LATE < "$1" 2>/dev/null || LX_LATE=0
}

# Waits (bounded: SECONDS, default 20, times LX_SLOW) for a background
# pid; returns its exit status.
lx_wait_pid() {
	local pid=$1 t=${2:-20} i
	for ((i = 0; i < t * LX_SLOW * 20; i++)); do
		if lx_ended "$pid"; then
			wait "$pid"
			return $?
		fi
		lx_nap
	done
	lx_log "pid $pid still running after $((t * LX_SLOW))s"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 124
}

# Two namespaces with one UP lynx device each that have heard each other:
# sets NSA NSB NODEA NODEB.
lx_pair() {
	NSA=lx_${1}a_$$ NSB=lx_${1}b_$$
	lx_netns_keep "$NSA" "$NSB"
	# One ip makes both namespaces and their devices (in them, up).
	lx_ok ip -batch - <<-EOF || lx_fail "lx_pair: namespaces" || return 1
		netns add $NSA
		netns add $NSB
		link add a0 netns $NSA up type lynx
		link add b0 netns $NSB up type lynx
	EOF
	NODEA=$(lx_node "$NSA") && NODEB=$(lx_node "$NSB") ||
		lx_fail "lx_pair: node ids" || return 1
	# One datagram each way: both learn the other.  The link loses
	# nothing: a datagram lost there is a bug, not sent again.
	lx_pair_hear "$NSA" "$NSB" "$NODEB" 6100 pair.b hello-b || return 1
	lx_pair_hear "$NSB" "$NSA" "$NODEA" 6101 pair.a hello-a || return 1
}

# lx_pair_hear FROM TO TONODE PORT LOG TEXT: TO hears TEXT from FROM.
lx_pair_hear() {
	local t0
	# The receiver leaves on the first datagram: a long timeout costs
	# nothing, and a loaded debug guest may take seconds to start the
	# sender.
	lx_recv_bg "$2" "$LX_TMP/$5" -t $((15000 * LX_SLOW)) "$4" 1 ||
		lx_fail "lx_pair: receiver in $2 not ready" || return 1
	t0=$SECONDS
	lx_ok "$TOOL" -N "$1" send "$3" "$4" "$6" || return 1
	lx_wait_pid "$LX_PID" 25 && lx_file_has "$LX_TMP/$5" '^from' && return 0
	lx_log "lx_pair: $2 did not hear $1 (sending took $((SECONDS - t0))s):"
	sed 's/^/#   /' "$LX_TMP/$5"
	lx_log "  $2 lynx_stat: $(lx_in "$2" grep -E \
		'^(frames|drop)' /proc/net/lynx_stat | tr '\n' ' ')"
	lx_fail "$2 did not hear $1"
}

[ -x "$TOOL" ] || { echo "# $TOOL missing (make selftests)"; }

# The captured frames of FILE as one hex string (the -xx dump lines only,
# not the summary lines, which may mention 0x88b5 too).
lx_frame_hex() {
	local line hex=
	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]+0x[0-9a-f]+:\ *(.*)$ ]] &&
			hex+=${BASH_REMATCH[1]// /}
	done <<< "$(tcpdump -r "$1" -xx 2>/dev/null)"
	echo "$hex"
}

# STRING's bytes in hex, as lx_frame_hex shows them (ASCII only).
lx_str_hex() {
	local i
	for ((i = 0; i < ${#1}; i++)); do printf '%02x' "'${1:i:1}"; done
	echo
}
