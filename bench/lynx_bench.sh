#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/lynx_bench.sh [-r ROUNDS] [-t SECONDS] [-F FAIR_SECONDS]
#                     [-f "FIGURE..."] [-H "HOST CPU"] [-P HOST_NPROC]
#                     [-x "NAME=VALUE..."]
#
# make bench's guest side (scripts/bench boots one stock guest to run it,
# as root, with lynx.ko loaded): measures every figure for lynx and its
# peers, ROUNDS rounds (default 3) of SECONDS each (default 2), the
# families taking turns within a round, and keeps the median of each.
# Prints a progress line per figure, then results.json, the table and the
# chart's data, each line prefixed (BENCHJSON, BENCHTABLE, BENCHDAT) so
# scripts/bench can pick them out of the console; a copy stays in
# /tmp/bench.  -f runs only some figures (their ids, below); -x sets
# net.lynx.NAME in the two namespaces (e.g. -x sack=0, to compare).
#
# Never run it on the host: it loads modules and makes namespaces.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prog=$here/lynx_bench
rounds=3 secs=2 fair_secs='' only='' host_cpu='' host_nproc='' sysctls=''
while getopts r:t:F:f:H:P:x: o; do
	case $o in
	r) rounds=$OPTARG ;;
	t) secs=$OPTARG ;;
	F) fair_secs=$OPTARG ;;
	f) only=$OPTARG ;;
	H) host_cpu=$OPTARG ;;
	P) host_nproc=$OPTARG ;;
	x) sysctls=$OPTARG ;;
	*) echo "usage: $0 [-r ROUNDS] [-t SECONDS] [-F FAIR_SECONDS] [-f FIGURES] [-x NAME=VALUE...]" >&2; exit 2 ;;
	esac
done
fair_secs=${fair_secs:-$((secs * 15))}
out=/tmp/bench
mkdir -p "$out"
: > "$out/raw"
[ -x "$prog" ] || { echo "bench: $prog missing (make -C bench)" >&2; exit 1; }

# ---- the setup: vsock loopback, two namespaces joined twice --------------

NSA=lxbench_a NSB=lxbench_b
VETH_A=10.99.0.1 VETH_B=10.99.0.2	# TCP over the veth pair
LYNXIP_A=10.98.0.1 LYNXIP_B=10.98.0.2	# TCP over the lynx devices (fairness)

setup() {
	modprobe vsock_loopback || echo "bench: no vsock_loopback" >&2
	modprobe sch_netem 2>/dev/null
	modprobe sch_tbf 2>/dev/null
	ip netns add $NSA && ip netns add $NSB || return 1
	ip -n $NSA link set lo up && ip -n $NSB link set lo up &&
	ip -n $NSA link add a0 type lynx && ip -n $NSB link add b0 type lynx &&
	ip -n $NSA addr add $LYNXIP_A/24 dev a0 &&
	ip -n $NSB addr add $LYNXIP_B/24 dev b0 &&
	ip -n $NSA link set a0 up && ip -n $NSB link set b0 up &&
	ip link add va netns $NSA type veth peer name vb netns $NSB &&
	ip -n $NSA addr add $VETH_A/24 dev va &&
	ip -n $NSB addr add $VETH_B/24 dev vb &&
	ip -n $NSA link set va up && ip -n $NSB link set vb up || return 1
	for kv in $sysctls; do
		ip netns exec $NSA sysctl -qw "net.lynx.$kv" &&
			ip netns exec $NSB sysctl -qw "net.lynx.$kv" || return 1
	done
	NODEB=$(ip netns exec $NSB cat /proc/sys/net/lynx/node) || return 1
	# Both sides learn each other (and ARP settles) before any figure.
	"$prog" rr lynx -t 0.2 -S $NSB -C $NSA -L "$NODEB" -p 7600 >/dev/null &&
	"$prog" rr tcp -t 0.2 -S $NSB -C $NSA -I $VETH_B -p 7600 >/dev/null
}

teardown() {
	ip netns del $NSA 2>/dev/null
	ip netns del $NSB 2>/dev/null
}
trap teardown EXIT

# netem on both ends of both links (lossy), or nothing.
netem() {
	local ns dev
	for ns_dev in "$NSA a0" "$NSB b0" "$NSA va" "$NSB vb"; do
		set -- $ns_dev
		ns=$1 dev=$2
		tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null
		[ "$NETEM" = off ] ||
			tc -n "$ns" qdisc add dev "$dev" root netem $NETEM limit 10000 ||
			return 1
	done
}

# ---- running one figure ---------------------------------------------------

# The figures: id|title|unit|better|families|lynx_bench arguments.  The
# arguments may use $FAM's per-family options: FAMOPT below.
figures=(
	"stream64k|stream, 64 KiB writes|MiB/s|higher|lynx unix tcp vsock|stream -s 65536"
	"stream1k|stream, 1 KiB writes|MiB/s|higher|lynx unix tcp vsock|stream -s 1024"
	"rr|stream 1-byte ping-pong RTT|us|lower|lynx unix tcp vsock|rr"
	"crr|connect+accept+close rate|conn/s|higher|lynx unix tcp vsock|crr"
	"dgram_rr|datagram 1-byte ping-pong RTT|us|lower|lynx unix udp|dgram-rr"
	"netns_stream64k|2 netns: stream, 64 KiB writes (lynx devices, TCP over veth)|MiB/s|higher|lynx tcp|stream -s 65536 @ns"
	"netns_rr|2 netns: stream 1-byte RTT (lynx devices, TCP over veth)|us|lower|lynx tcp|rr @ns"
	"lossy|2 netns, netem 1% loss + 5 ms delay both ends: goodput|MiB/s|higher|lynx tcp|stream -s 65536 @ns @lossy"
	"mem|kernel memory per idle connection, both ends (Slab, N=1000)|bytes|lower|lynx tcp|mem -n 1000"
	"connlat|connect latency, 10000 idle connections / none|ratio|lower|lynx tcp|connlat -n 10000"
	"fair_tcp|fairness: share, lynx + TCP flow on one tbf 100mbit + 10 ms path|share|higher|lynx tcp|@fair lynx tcp"
	"fair_lynx|fairness: share, two lynx flows on one tbf 100mbit + 10 ms path|share|higher|lynx lynx#2|@fair lynx lynx"
)

# Per-family options of a figure run in the two namespaces.
ns_opts() {
	case $1 in
	lynx) echo "-S $NSB -C $NSA -L $NODEB" ;;
	tcp) echo "-S $NSB -C $NSA -I $VETH_B" ;;
	esac
}

# One measurement: prints the value, or nothing on failure (reported).
measure() {
	local fam=$1 args=$2 t=$3 extra=() line v
	[[ $args == *@ns* ]] && read -r -a extra <<< "$(ns_opts "$fam")"
	args=${args//@ns/}; args=${args//@lossy/}
	set -- $args
	line=$(timeout -k 5 $((${t%.*} * 4 + 120)) "$prog" "$1" "$fam" "${@:2}" \
		-t "$t" "${extra[@]}" 2> "$out/err")
	echo "$fam $line" >> "$out/raw"
	v=$(awk '$1 == "bench" { sub(/^value=/, "", $4); print $4 }' <<< "$line")
	if [ -z "$v" ]; then
		echo "bench: $fam $args failed: $(head -c 300 "$out/err")" >&2
		return 1
	fi
	echo "$v"
}

# Two stream flows at once from A to B through a0, which is shaped: tbf
# 100mbit under netem's 10 ms delay.  TCP crosses the same device (IP over
# the lynx link).  Prints each flow's share of their sum.
fair() {
	local f1=$1 f2=$2 t=$fair_secs i fam pids=() b1 b2
	# An Ethernet-sized path (tbf would drop frames above its burst;
	# TCP's GSO frames it cuts): the figure is about sharing.
	ip -n $NSA link set a0 mtu 1500 && ip -n $NSB link set b0 mtu 1500 ||
		return 1
	tc -n $NSA qdisc del dev a0 root 2>/dev/null
	tc -n $NSA qdisc add dev a0 root handle 1: netem delay 10ms limit 10000 &&
	tc -n $NSA qdisc add dev a0 parent 1: handle 2: tbf rate 100mbit \
		burst 64kb latency 100ms || return 1
	i=0
	for fam in "$f1" "$f2"; do
		i=$((i + 1))
		if [ "$fam" = lynx ]; then
			opts="-S $NSB -C $NSA -L $NODEB"
		else
			opts="-S $NSB -C $NSA -I $LYNXIP_B"
		fi
		timeout -k 5 $((t * 4 + 120)) "$prog" stream "$fam" -s 65536 \
			-t "$t" -p $((7800 + i)) $opts > "$out/fair$i" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	tc -n $NSA qdisc del dev a0 root 2>/dev/null
	ip -n $NSA link set a0 mtu 65535 && ip -n $NSB link set b0 mtu 65535
	cat "$out/fair1" "$out/fair2" | sed "s/^/fair /" >> "$out/raw"
	# Bytes over the same window: each flow's receiver counted its own.
	b1=$(awk '$1 == "bench" { for (i = 1; i <= NF; i++) if ($i ~ /^bytes=/) print substr($i, 7) }' "$out/fair1")
	b2=$(awk '$1 == "bench" { for (i = 1; i <= NF; i++) if ($i ~ /^bytes=/) print substr($i, 7) }' "$out/fair2")
	[ -n "$b1" ] && [ -n "$b2" ] || {
		echo "bench: fairness $f1 + $f2 failed: $(head -c 300 "$out/fair1" "$out/fair2")" >&2
		return 1
	}
	awk -v a="$b1" -v b="$b2" 'BEGIN { s = a + b; if (s <= 0) exit 1
		printf "%.4f %.4f\n", a / s, b / s }'
}

median() {
	sort -g | awk '{ v[NR] = $1 } END { if (!NR) exit 1
		if (NR % 2) print v[(NR + 1) / 2]
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Results: "id fam median r1,r2,..." lines in $out/results.
: > "$out/results"
run_figure() {
	local id=$1 title=$2 unit=$3 fams=$4 args=$5 fam r v t0=$SECONDS
	local -A vals=()
	local progress=
	NETEM=off
	[[ $args == *@lossy* ]] && NETEM="loss 1% delay 5ms"
	netem || { echo "bench: netem failed" >&2; return 1; }
	for ((r = 1; r <= rounds; r++)); do
		if [[ $args == @fair* ]]; then
			set -- $args
			v=$(fair "$2" "$3") || continue
			vals[${fams%% *}]+="${v% *} "
			vals[${fams##* }]+="${v#* } "
			# One long run, not rounds.
			break
		fi
		for fam in $fams; do
			v=$(measure "$fam" "$args" "$secs") && vals[$fam]+="$v "
		done
	done
	NETEM=off netem
	for fam in $fams; do
		v=$(tr ' ' '\n' <<< "${vals[$fam]:-}" | grep . | median) || v=
		echo "$id $fam ${v:-null} $(echo ${vals[$fam]:-} | tr ' ' ',')" >> "$out/results"
		progress+=" $fam ${v:-FAILED}"
	done
	echo "bench: $title [$unit]:$progress ($((SECONDS - t0)) s)"
}

setup || { echo "bench: setup failed" >&2; exit 1; }
echo "bench: $rounds rounds of $secs s per figure (fairness: one run of $fair_secs s), $(nproc) CPUs, kernel $(uname -r)"
for f in "${figures[@]}"; do
	IFS='|' read -r id title unit better fams args <<< "$f"
	[ -z "$only" ] || [[ " $only " == *" $id "* ]] || continue
	run_figure "$id" "$title" "$unit" "$fams" "$args"
done

# ---- results.json, the table, the chart's data ----------------------------

json_str() { printf '"%s"' "$(sed 's/\\/\\\\/g; s/"/\\"/g' <<< "$1")"; }

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
	echo "{"
	echo "  \"date\": $(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)"),"
	echo "  \"kernel\": $(json_str "$(uname -r)"),"
	echo "  \"machine\": {\"nproc\": $(nproc), \"cpu\": $(json_str "$cpu"),"
	echo "              \"guest\": \"QEMU TCG, scripts/vm-run --kernel stock\","
	echo "              \"host_nproc\": ${host_nproc:-null}, \"host_cpu\": $(json_str "$host_cpu")},"
	echo "  \"rounds\": $rounds, \"seconds\": $secs, \"fair_seconds\": $fair_secs,"
	echo "  \"figures\": ["
	first=1
	for f in "${figures[@]}"; do
		IFS='|' read -r id title unit better fams args <<< "$f"
		grep -q "^$id " "$out/results" || continue
		[ $first = 1 ] || echo "    ,"
		first=0
		echo "    {\"id\": \"$id\", \"title\": $(json_str "$title"), \"unit\": \"$unit\", \"better\": \"$better\","
		echo "     \"values\": {"
		awk -v id="$id" '$1 == id { printf "%s       \"%s\": {\"median\": %s, \"rounds\": [%s]}",
			n++ ? ",\n" : "", $2, $3, $4 } END { print "" }' "$out/results"
		echo "     },"
		echo -n "     \"ratios\": {"
		awk -v id="$id" '$1 == id { if (n++ == 0) { l = $3; next }
			printf "%s\"lynx/%s\": %s", m++ ? ", " : "", $2,
				(l == "null" || $3 == "null" || $3 == 0) ? "null" : sprintf("%.4g", l / $3) }' "$out/results"
		echo "}}"
	done
	echo "  ]"
	echo "}"
} > "$out/results.json"

# The table: a row per figure and peer (the figures' titles are in
# results.json and the README, by id); 4 significant digits, or units.
{
	printf '%-16s %-7s %-6s %10s  %-7s %10s %9s\n' figure unit better lynx peer value lynx/peer
	for f in "${figures[@]}"; do
		IFS='|' read -r id title unit better fams args <<< "$f"
		awk -v id="$id" -v u="$unit" -v b="$better" '
			function g(v) { return v == "null" ? "-" : sprintf(v >= 1000 ? "%.0f" : "%.4g", v) }
			$1 == id { if (n++ == 0) { l = $3; next }
				r = (l == "null" || $3 == "null" || $3 == 0) ? "-" : sprintf("%.2fx", l / $3)
				printf "%-16s %-7s %-6s %10s  %-7s %10s %9s\n", n == 2 ? id : "", n == 2 ? u : "",
					n == 2 ? b : "", n == 2 ? g(l) : "", $2, g($3), r }' "$out/results"
	done
} > "$out/table"

# The chart's data: "label ratio better" a line, for gnuplot.
for f in "${figures[@]}"; do
	IFS='|' read -r id title unit better fams args <<< "$f"
	awk -v id="$id" -v b="$better" '$1 == id { if (n++ == 0) { l = $3; next }
		if (l != "null" && $3 != "null" && $3 != 0)
			printf "%s/%s %.4g %s\n", id, $2, l / $3, b }' "$out/results"
done > "$out/ratios.dat"

sed 's/^/BENCHJSON /' "$out/results.json"
sed 's/^/BENCHTABLE /' "$out/table"
sed 's/^/BENCHDAT /' "$out/ratios.dat"
sed 's/^/BENCHRAW /' "$out/raw"
! grep -q ' null ' "$out/results"
