#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/lynx.lua, the Wireshark/tshark dissector, against real traffic:
# lynx sessions on lynxlo captured with tcpdump, then decoded by tshark
# with the dissector.  Every header field must come out with the value
# the session had (ports, nodes, type, flags, sequence and acknowledgment
# numbers, length, checksum, payload).  SACK blocks are checked on frames
# python writes into a capture (test_sack_fields).
#
# lynxlo leaves the checksum to the device (NETIF_F_HW_CSUM, module/wire.c)
# and, the frame never leaving memory, nobody fills it in: a capture shows
# the field 0, as tcpdump on lo shows TCP's "incorrect" (csum_offload
# checks that).  The decoding tests turn lynxlo's checksum offload off
# (ethtool -K lynxlo tx off): the kernel then computes the sum in
# software before the capture sees the frame, and the capture has every
# field as a wire would.
. "$(dirname "$0")/lynx_lib.bash"

LUA=$(cd "$LX_DIR/.." && pwd)/tools/lynx.lua

need_tools() {
	command -v tcpdump >/dev/null || { lx_skip "no tcpdump"; return 1; }
	command -v tshark >/dev/null || { lx_skip "no tshark"; return 1; }
	command -v ethtool >/dev/null || { lx_skip "no ethtool"; return 1; }
	[ -r "$LUA" ] || { lx_skip "no $LUA"; return 1; }
}

# tshark with the dissector on a capture.  tshark writes its profile
# under $HOME, which must be writable: the guest's / is read-only.
lx_tshark() {	# file args...
	HOME=$LX_TMP XDG_CONFIG_HOME=$LX_TMP/.config \
		tshark -n -X "lua_script:$LUA" -r "$@" 2>"$LX_TMP/tshark.err"
}

# The fields tshark decodes, one line per lynx frame, tab-separated.
FIELDS=(lynx.version lynx.type lynx.flags lynx.reserved lynx.len
	lynx.checksum.status lynx.src_node lynx.dst_node lynx.src_port
	lynx.dst_port lynx.seq lynx.ack lynx.window lynx.payload)
lx_fields() {	# file -> lines
	local a=() x
	for x in "${FIELDS[@]}"; do a+=(-e "$x"); done
	lx_tshark "$1" -Y lynx -T fields -E separator=/t -E occurrence=f "${a[@]}"
}

hexof() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# A namespace whose lynxlo computes every checksum (see the top).
netns_summed() {	# name
	local ns
	ns=$(lx_netns "$1") || return 1
	lx_ok lx_in "$ns" ethtool -K lynxlo tx off >&2 || return 1
	echo "$ns"
}

# tcpdump -i lynxlo in NS, writing FILE; sets TD_PID.  COUNT 0: until
# stopped with SIGINT.  Immediate mode: each frame is written as it comes
# (without it, frames wait in the capture ring for a block timeout, and
# those still there when tcpdump is stopped are lost).
capture_bg() {	# ns file count
	local c=()
	[ "$3" -gt 0 ] && c=(-c "$3")
	ip netns exec "$1" tcpdump -Z root -i lynxlo --immediate-mode -U \
		"${c[@]}" -w "$2" ether proto 0x88b5 2> "$2.err" &
	TD_PID=$!
	lx_wait_for "$2.err" 'listening on' 10 "$TD_PID"
}

# Waits (up to 30 s, times LX_SLOW) until FILE has not grown for 1 s.
capture_settle() {	# file
	local i size last=-1 same=0
	for ((i = 0; i < 30 * LX_SLOW * 20 && same < 20; i++)); do
		size=$(stat -c %s "$1" 2>/dev/null || echo 0)
		if [ "$size" = "$last" ]; then
			same=$((same + 1))
		else
			same=0 last=$size
		fi
		lx_nap
	done
}

test_dgram_fields() {
	local ns node f=$LX_TMP/dgram.pcap pay=TSHARK-DGRAM-0123456789 want
	need_tools || return $KSFT_SKIP
	ns=$(netns_summed tsd) || return 1
	node=$(lx_hex "$(lx_node "$ns")") || return 1
	capture_bg "$ns" "$f" 1 || return 1
	lx_recv_bg "$ns" "$LX_TMP/recv.out" -t 15000 6801 1 || return 1
	lx_ok "$TOOL" -N "$ns" send -p 6800 local 6801 "$pay" || return 1
	lx_wait_pid "$LX_PID" || lx_fail "datagram not received" || return 1
	lx_wait_pid "$TD_PID" 30 || lx_fail "tcpdump captured nothing" || return 1

	# A second frame, the same one damaged (its payload's last byte,
	# the last of the record: the frame needs no padding), which the
	# dissector must call bad.  One tshark run for both: on a TCG guest
	# each start costs seconds.
	python3 - "$f" "$LX_TMP/two.pcap" <<'PY' || lx_fail "cannot copy the capture" || return 1
import sys
b = open(sys.argv[1], 'rb').read()
rec = bytearray(b[24:])		# after the pcap file header: one record
rec[-1] ^= 0x55
open(sys.argv[2], 'wb').write(b + rec)
PY
	lx_tshark "$LX_TMP/two.pcap" -V > "$LX_TMP/v.out" ||
		lx_fail "tshark -V failed: $(head -3 "$LX_TMP/tshark.err")" || return 1
	sed -n '/^Lynx Protocol/,/^$/p' "$LX_TMP/v.out" | sed 's/^/#   /'
	for want in "^Lynx Protocol, DGRAM, $node:6800 -> $node:6801, len ${#pay}\$" \
		    '^ +Version: 1$' '^ +Type: DGRAM \(1\)$' '^ +Flags: 0x00$' \
		    '^ +\.\.\.\. \.\.\.0 = SYN: False$' '^ +\.\.\.0 \.\.\.\. = EOR: False$' \
		    '^ +Reserved: 0x00$' "^ +Payload length: ${#pay}\$" \
		    "^ +Source node: 0x$node\$" "^ +Destination node: 0x$node\$" \
		    '^ +Source port: 6800$' '^ +Destination port: 6801$' \
		    '^ +Sequence number: 0$' '^ +Acknowledgment number: 0$' '^ +Window: 0$' \
		    '^ +\[Checksum Status: Good \(1\)\]$' "^ +Payload: $(hexof "$pay")\$" \
		    '^ +\[Checksum Status: Bad \(0\)\]$' '^ +\[Expert Info .*Bad checksum'; do
		lx_file_has "$LX_TMP/v.out" "$want" ||
			lx_fail "tshark -V shows no line matching '$want'" || return 1
	done
	# Good the first frame, bad the second.
	awk '/Checksum Status: Good/ && !g { g = NR }
	     /Checksum Status: Bad/ && !b { b = NR }
	     END { exit !(g && b && g < b) }' "$LX_TMP/v.out" ||
		lx_fail "the damaged frame is not the one called bad" || return 1
}

# A whole STREAM connection on lynxlo: handshake, data, FIN both ways.
test_stream_session() {
	local ns node f=$LX_TMP/stream.pcap pay=TSHARK-STREAM-abcdefghijklmnop
	local syn synack data cport iss riss n=0 v bad fins
	local t fl r len cs sn dn sp dp seq ack win p
	local synfl=0x01 synackfl=0x03 sackv='0\. \.\.\.\. = SACK: False' sackn=
	need_tools || return $KSFT_SKIP
	ns=$(netns_summed tss) || return 1
	node=$(lx_hex "$(lx_node "$ns")") || return 1
	# With net.lynx.sack 1 (a module that has it) both SYNs offer SACK.
	if [ "$("$TOOL" -N "$ns" cat /proc/sys/net/lynx/sack 2>/dev/null)" = 1 ]; then
		synfl=0x21 synackfl=0x23 sackn=', SACK'
		sackv='1\. \.\.\.\. = SACK: True'
	fi
	capture_bg "$ns" "$f" 0 || return 1
	"$TOOL" -N "$ns" stream-recv -t 15000 6802 > "$LX_TMP/srv.out" 2> "$LX_TMP/srv.err" &
	local srv=$!
	lx_wait_for "$LX_TMP/srv.err" '^(ready|error)' 10 "$srv" || return 1
	printf '%s' "$pay" | lx_ok "$TOOL" -N "$ns" stream-send -t 15000 local 6802 || return 1
	lx_wait_pid "$srv" || lx_fail "stream-recv failed: $(cat "$LX_TMP/srv.err")" || return 1
	[ "$(cat "$LX_TMP/srv.out")" = "$pay" ] || lx_fail "payload not received" || return 1
	# Every frame was sent by now (the last ACK before stream-send saw
	# the peer's FIN): stop the capture once tcpdump has written them,
	# when the file has not grown for a second.
	capture_settle "$f"
	kill -INT "$TD_PID"
	lx_wait_pid "$TD_PID" 30 || lx_fail "tcpdump did not stop" || return 1

	lx_fields "$f" > "$LX_TMP/fields" ||
		lx_fail "tshark -T fields failed: $(head -3 "$LX_TMP/tshark.err")" || return 1
	sed 's/^/#   /' "$LX_TMP/fields"
	# version type flags reserved len csum snode dnode sport dport seq ack win payload
	while IFS=$'\t' read -r v t fl r len cs sn dn sp dp seq ack win p; do
		n=$((n + 1))
		[ "$v/$t/$r/$cs/$sn/$dn" = "1/2/0x00/1/0x$node/0x$node" ] ||
			bad="$bad [frame $n: version/type/reserved/csum/nodes $v/$t/$r/$cs/$sn/$dn]"
		# (an ACK|SACK's payload is its blocks, not lynx.payload)
		[ "$fl" = 0x22 ] || [ "$len" -eq $(( ${#p} / 2 )) ] ||
			bad="$bad [frame $n: len $len, payload ${#p} hex digits]"
		case $fl in
		"$synfl") [ -n "$syn" ] || syn="$sp $seq $win" ;;
		"$synackfl") [ -n "$synack" ] || synack="$sp $dp $seq $ack $win" ;;
		esac
		[ -n "$p" ] && [ -z "$data" ] && data="$fl $sp $dp $seq $p"
		case $fl in 0x04|0x06) fins="$fins $sp" ;; esac
	done < "$LX_TMP/fields"
	[ -z "$bad" ] || lx_fail "wrong fields:$bad" || return 1
	[ -n "$syn" ] || lx_fail "no SYN (flags $synfl)" || return 1
	[ -n "$synack" ] || lx_fail "no SYN|ACK (flags $synackfl)" || return 1
	[ -n "$data" ] || lx_fail "no segment with payload" || return 1
	read -r cport iss v <<< "$syn"
	[ "$v" -gt 0 ] || lx_fail "SYN: window 0" || return 1
	read -r sp dp riss ack win <<< "$synack"
	[ "$sp/$dp" = "6802/$cport" ] || lx_fail "SYN|ACK ports $sp/$dp, want 6802/$cport" || return 1
	[ "$ack" -eq $(( (iss + 1) % 4294967296 )) ] ||
		lx_fail "SYN|ACK acknowledges $ack, the SYN was $iss" || return 1
	[ "$win" -gt 0 ] || lx_fail "SYN|ACK: window 0" || return 1
	read -r fl sp dp seq p <<< "$data"
	[ "$sp/$dp" = "$cport/6802" ] || lx_fail "data ports $sp/$dp, want $cport/6802" || return 1
	[ "$seq" -eq $(( (iss + 1) % 4294967296 )) ] ||
		lx_fail "data seq $seq, want ISS+1 = $((iss + 1))" || return 1
	[ "$p" = "$(hexof "$pay")" ] || lx_fail "payload $p" || return 1
	[[ " $fins " == *" $cport "* && " $fins " == *" 6802 "* ]] ||
		lx_fail "FIN not seen from both ends (from:$fins)" || return 1

	# The flag bits, as -V shows them, of the SYN|ACK.
	lx_tshark "$f" -V -Y "lynx.flags == $synackfl" > "$LX_TMP/v.out" || return 1
	sed -n '/^Lynx Protocol/,/^$/p' "$LX_TMP/v.out" | sed 's/^/#   /'
	for v in '^ +Type: STREAM \(2\)$' "^ +Flags: $synackfl \\(SYN, ACK$sackn\\)\$" \
		 '^ +\.\.\.\. \.\.\.1 = SYN: True$' '^ +\.\.\.\. \.\.1\. = ACK: True$' \
		 '^ +\.\.\.\. \.0\.\. = FIN: False$' "^ +\\.\\.$sackv\$" \
		 "^ +Acknowledgment number: $ack\$" \
		 "^ +Sequence number: $riss\$" "^ +Window: $win\$"; do
		lx_file_has "$LX_TMP/v.out" "$v" ||
			lx_fail "tshark -V shows no line matching '$v'" || return 1
	done
}

# With the offload on (the default), a datagram on lynxlo is captured with
# its csum field 0, and delivered all the same: its receiver takes it
# unsummed.  Read from the capture by python, not tshark (slow to start).
test_csum_offload() {
	local ns f=$LX_TMP/offload.pcap pay=OFFLOAD-0123456789 cs
	need_tools || return $KSFT_SKIP
	ns=$(lx_netns tso) || return 1
	lx_in "$ns" ethtool -k lynxlo | grep -q '^tx-checksumming: on' ||
		lx_fail "lynxlo's checksum offload is not on: $(lx_in "$ns" ethtool -k lynxlo | head -3)" ||
		return 1
	capture_bg "$ns" "$f" 1 || return 1
	lx_recv_bg "$ns" "$LX_TMP/recv.out" -t 15000 6803 1 || return 1
	lx_ok "$TOOL" -N "$ns" send -p 6800 local 6803 "$pay" || return 1
	lx_wait_pid "$LX_PID" || lx_fail "datagram not received" || return 1
	lx_file_has "$LX_TMP/recv.out" "$pay" ||
		lx_fail "received: $(cat "$LX_TMP/recv.out")" || return 1
	lx_wait_pid "$TD_PID" 30 || lx_fail "tcpdump captured nothing" || return 1
	# pcap header 24 bytes, record header 16, Ethernet 14: csum at 6.
	cs=$(python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); print(b[60:62].hex())' "$f") ||
		lx_fail "cannot read the capture" || return 1
	lx_log "csum field as captured: 0x$cs"
	[ "$cs" = 0000 ] || lx_fail "csum field 0x$cs: lynxlo computed it" || return 1
}

# SACK (LYNX_F_SACK, include/uapi/linux/lynx.h): an ACK|SACK frame carries
# blocks, not data, which the dissector must decode as such, and a SACK
# frame whose length is no whole number of blocks is malformed.  lynx_tool
# has no command that writes a raw frame, so python builds the capture: a
# SYN|SACK, an ACK|SACK with 2 blocks and one of length 12, to port 6899
# (nobody's), their checksums computed as a wire would have them.
test_sack_fields() {
	local f=$LX_TMP/sack.pcap want line n=0 bad=
	command -v tshark >/dev/null || { lx_skip "no tshark"; return $KSFT_SKIP; }
	command -v python3 >/dev/null || { lx_skip "no python3"; return $KSFT_SKIP; }
	[ -r "$LUA" ] || { lx_skip "no $LUA"; return $KSFT_SKIP; }
	python3 - "$f" <<'PY' || lx_fail "cannot write the capture" || return 1
import struct, sys

def csum(b):
    b += b'\0' * (len(b) % 2)
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def frame(flags, seq, ack, pay):
    # struct lynxhdr: STREAM, node 0x0a0b0c0d, port 40000 -> 6899
    h = struct.pack('!BBBBHHIIIIIII', 1, 2, flags, 0, len(pay), 0,
                    0x0a0b0c0d, 0x0a0b0c0d, 40000, 6899, seq, ack, 65536)
    h = h[:6] + struct.pack('!H', csum(h + pay)) + h[8:]
    return bytes.fromhex('02000000000102000000000288b5') + h + pay

def blocks(*b):
    return b''.join(struct.pack('!II', s, e) for s, e in b)

frames = [frame(0x21, 1000, 0, b''),
          frame(0x22, 1001, 3000000000,
                blocks((3000002800, 3000004200), (3000001400, 3000002000))),
          frame(0x22, 1001, 3000000000,
                blocks((3000002800, 3000004200)) + b'\0\0\0\1')]
out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
for i, fr in enumerate(frames):
    out += struct.pack('<IIII', i, 0, len(fr), len(fr)) + fr
open(sys.argv[1], 'wb').write(out)
PY
	lx_tshark "$f" -Y lynx -T fields -E separator=/t -E occurrence=a \
		-E aggregator=, -e lynx.flags -e lynx.flags.sack -e lynx.len \
		-e lynx.checksum.status -e lynx.sack.count -e lynx.sack.start \
		-e lynx.sack.end -e lynx.payload -e lynx.sack.malformed \
		-e _ws.expert > "$LX_TMP/fields" ||
		lx_fail "tshark -T fields failed: $(head -3 "$LX_TMP/tshark.err")" || return 1
	sed 's/^/#   /' "$LX_TMP/fields"
	# flags sack len csum count starts ends payload malformed expert
	for want in $'0x21\t1\t0\t1\t\t\t\t\t\t' \
		    $'0x22\t1\t16\t1\t2\t3000002800,3000001400\t3000004200,3000002000\t\t\t' \
		    $'0x22\t1\t12\t1\t1\t3000002800\t3000004200\t\t1\tExpert Info (Error/Malformed): Bad SACK frame'; do
		n=$((n + 1))
		line=$(sed -n "${n}p" "$LX_TMP/fields")
		[[ $line == "$want"* ]] ||
			bad="$bad [frame $n: '${line//$'\t'/|}', want '${want//$'\t'/|}...']"
	done
	n=$(wc -l < "$LX_TMP/fields")
	[ "$n" -eq 3 ] || bad="$bad [$n frames, want 3]"
	[ -z "$bad" ] || lx_fail "wrong SACK fields:$bad" || return 1
}

# tshark starts slowly on a TCG guest (its libraries over 9p): 300 s.
lx_test tshark.dgram_fields test_dgram_fields 300
lx_test tshark.stream_session test_stream_session 300
lx_test tshark.csum_offload test_csum_offload 120
lx_test tshark.sack_fields test_sack_fields 300
lx_finish
