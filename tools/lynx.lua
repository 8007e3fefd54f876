-- SPDX-License-Identifier: GPL-2.0
--
-- Wireshark/tshark dissector for lynx frames: Ethernet frames of
-- EtherType 0x88B5 (ETH_P_LYNX) carrying a struct lynxhdr (36 bytes, all
-- fields big-endian, include/net/lynx.h) and the payload.
--
--   tshark -X lua_script:tools/lynx.lua -r capture.pcap -V
--   wireshark -X lua_script:tools/lynx.lua capture.pcap
--
-- or copy it to ~/.local/lib/wireshark/plugins/.  Display filters: lynx,
-- lynx.src_port == 6800, lynx.flags.syn == 1, lynx.checksum.status == 0
-- (bad), lynx.payload contains "abc", lynx.sack.count > 1,
-- lynx.sack.start == 1000, ...
--
-- A frame without SYN that has SACK (flags ACK|SACK, payload 8 to 32 bytes)
-- carries selective acknowledgment blocks instead of data: lynx.sack, its
-- lynx.sack.count and, per block, lynx.sack.start and lynx.sack.end.
--
-- Must agree with module/wire.c (lynx_hdr_push, lynx_hdr_parse).

local lynx = Proto("lynx", "Lynx Protocol")

local LYNX_HLEN = 36
local LYNX_VERSION = 1

local types = { [1] = "DGRAM", [2] = "STREAM", [3] = "SEQPACKET" }
local csum_status = { [0] = "Bad", [1] = "Good", [2] = "Unverified" }

-- lynxhdr.flags (LYNX_F_*)
local F_SYN, F_ACK, F_FIN, F_RST, F_EOR = 0x01, 0x02, 0x04, 0x08, 0x10
local F_SACK = 0x20
local F_ALL = 0x3f
local flag_names = { { F_SYN, "SYN" }, { F_ACK, "ACK" }, { F_FIN, "FIN" },
		     { F_RST, "RST" }, { F_EOR, "EOR" }, { F_SACK, "SACK" } }

-- SACK blocks (struct lynx_sack_block: start, end; 8 bytes each), the
-- payload of an ACK|SACK frame without SYN: 1 to LYNX_SACK_MAX of them.
local SACK_BLOCK = 8
local SACK_MAX = 4

local f = {
	version  = ProtoField.uint8("lynx.version", "Version", base.DEC),
	type     = ProtoField.uint8("lynx.type", "Type", base.DEC, types),
	flags    = ProtoField.uint8("lynx.flags", "Flags", base.HEX),
	f_syn    = ProtoField.bool("lynx.flags.syn", "SYN", 8, nil, F_SYN),
	f_ack    = ProtoField.bool("lynx.flags.ack", "ACK", 8, nil, F_ACK),
	f_fin    = ProtoField.bool("lynx.flags.fin", "FIN", 8, nil, F_FIN),
	f_rst    = ProtoField.bool("lynx.flags.rst", "RST", 8, nil, F_RST),
	f_eor    = ProtoField.bool("lynx.flags.eor", "EOR", 8, nil, F_EOR),
	f_sack   = ProtoField.bool("lynx.flags.sack", "SACK", 8, nil, F_SACK),
	f_undef  = ProtoField.uint8("lynx.flags.undefined", "Undefined bits",
				    base.HEX, nil, 0xc0),
	reserved = ProtoField.uint8("lynx.reserved", "Reserved", base.HEX),
	len      = ProtoField.uint16("lynx.len", "Payload length", base.DEC),
	csum     = ProtoField.uint16("lynx.checksum", "Checksum", base.HEX),
	csum_st  = ProtoField.uint8("lynx.checksum.status", "Checksum Status",
				    base.DEC, csum_status),
	src_node = ProtoField.uint32("lynx.src_node", "Source node", base.HEX),
	dst_node = ProtoField.uint32("lynx.dst_node", "Destination node", base.HEX),
	src_port = ProtoField.uint32("lynx.src_port", "Source port", base.DEC),
	dst_port = ProtoField.uint32("lynx.dst_port", "Destination port", base.DEC),
	seq      = ProtoField.uint32("lynx.seq", "Sequence number", base.DEC),
	ack      = ProtoField.uint32("lynx.ack", "Acknowledgment number", base.DEC),
	window   = ProtoField.uint32("lynx.window", "Window", base.DEC),
	payload  = ProtoField.bytes("lynx.payload", "Payload"),
	sack     = ProtoField.none("lynx.sack", "SACK blocks"),
	sack_cnt = ProtoField.uint8("lynx.sack.count", "Number of blocks", base.DEC),
	sack_blk = ProtoField.none("lynx.sack.block", "Block"),
	sack_st  = ProtoField.uint32("lynx.sack.start", "Start", base.DEC),
	sack_end = ProtoField.uint32("lynx.sack.end", "End", base.DEC),
	padding  = ProtoField.bytes("lynx.padding", "Padding"),
}
lynx.fields = f

local e = {
	version   = ProtoExpert.new("lynx.version.unknown", "Unknown lynx version",
				    expert.group.MALFORMED, expert.severity.ERROR),
	malformed = ProtoExpert.new("lynx.malformed",
				    "Bad type, flags or reserved byte (lynx drops it)",
				    expert.group.MALFORMED, expert.severity.ERROR),
	truncated = ProtoExpert.new("lynx.truncated",
				    "Frame shorter than its header or length",
				    expert.group.MALFORMED, expert.severity.ERROR),
	csum      = ProtoExpert.new("lynx.checksum.bad", "Bad checksum",
				    expert.group.CHECKSUM, expert.severity.ERROR),
	sack      = ProtoExpert.new("lynx.sack.malformed",
				    "Bad SACK frame: flags not ACK|SACK, or length " ..
				    "not 8 to 32 by 8 (lynx drops it)",
				    expert.group.MALFORMED, expert.severity.ERROR),
}
lynx.experts = { e.version, e.malformed, e.truncated, e.csum, e.sack }

-- The Internet checksum (RFC 1071) of n bytes of tvb from offset: the
-- header (its csum field included) and the payload sum to 0xffff when
-- the frame is intact, as lynx_csum_ok() checks.
-- (Plain arithmetic, no bit operators: Wireshark 4.0 has Lua 5.2, later
-- ones 5.4, and their bit libraries differ.)
local function has(flags, bit)
	return math.floor(flags / bit) % 2 == 1
end

local function csum_ok(tvb, offset, n)
	local sum = 0
	local i = 0
	while i + 1 < n do
		sum = sum + tvb(offset + i, 2):uint()
		i = i + 2
	end
	if i < n then
		sum = sum + tvb(offset + i, 1):uint() * 256
	end
	while sum > 0xffff do
		sum = sum % 0x10000 + math.floor(sum / 0x10000)
	end
	return sum == 0xffff
end

local function flag_string(flags)
	local t = {}
	for _, fl in ipairs(flag_names) do
		if has(flags, fl[1]) then
			t[#t + 1] = fl[2]
		end
	end
	if flags > F_ALL then
		t[#t + 1] = string.format("0x%02x", flags - flags % 0x40)
	end
	return table.concat(t, ", ")
end

function lynx.dissector(tvb, pinfo, tree)
	local caplen = tvb:len()
	pinfo.cols.protocol = "LYNX"
	local root = tree:add(lynx, tvb(0, math.min(caplen, LYNX_HLEN)))
	if caplen < LYNX_HLEN then
		root:add_proto_expert_info(e.truncated)
		pinfo.cols.info = "Truncated lynx header"
		return caplen
	end

	local version = tvb(0, 1):uint()
	local ftype = tvb(1, 1):uint()
	local flags = tvb(2, 1):uint()
	local reserved = tvb(3, 1):uint()
	local plen = tvb(4, 2):uint()
	local src_node = tvb(8, 4):uint()
	local dst_node = tvb(12, 4):uint()
	local src_port = tvb(16, 4):uint()
	local dst_port = tvb(20, 4):uint()
	local seq = tvb(24, 4):uint()
	local ack = tvb(28, 4):uint()
	local window = tvb(32, 4):uint()

	local vi = root:add(f.version, tvb(0, 1))
	if version ~= LYNX_VERSION then
		vi:add_proto_expert_info(e.version)
	end
	local ti = root:add(f.type, tvb(1, 1))
	local fi = root:add(f.flags, tvb(2, 1))
	if flags ~= 0 then
		fi:append_text(" (" .. flag_string(flags) .. ")")
	end
	fi:add(f.f_syn, tvb(2, 1))
	fi:add(f.f_ack, tvb(2, 1))
	fi:add(f.f_fin, tvb(2, 1))
	fi:add(f.f_rst, tvb(2, 1))
	fi:add(f.f_eor, tvb(2, 1))
	fi:add(f.f_sack, tvb(2, 1))
	fi:add(f.f_undef, tvb(2, 1))
	local ri = root:add(f.reserved, tvb(3, 1))
	if ftype == 0 or ftype > 3 then
		ti:add_proto_expert_info(e.malformed)
	end
	if flags > F_ALL then	-- a bit above LYNX_F_ALL
		fi:add_proto_expert_info(e.malformed)
	end
	if reserved ~= 0 then
		ri:add_proto_expert_info(e.malformed)
	end
	root:add(f.len, tvb(4, 2))
	local ci = root:add(f.csum, tvb(6, 2))
	root:add(f.src_node, tvb(8, 4))
	root:add(f.dst_node, tvb(12, 4))
	root:add(f.src_port, tvb(16, 4))
	root:add(f.dst_port, tvb(20, 4))
	root:add(f.seq, tvb(24, 4))
	root:add(f.ack, tvb(28, 4))
	root:add(f.window, tvb(32, 4))

	local avail = caplen - LYNX_HLEN
	local status
	if plen > avail then
		-- Cut by the capture's snap length, or a short frame.
		root:add_proto_expert_info(e.truncated)
		status = 2
	elseif csum_ok(tvb, 0, LYNX_HLEN + plen) then
		status = 1
	else
		status = 0
	end
	local si = ci:add(f.csum_st, status)
	si:set_generated()
	ci:append_text(" [" .. csum_status[status]:lower() .. "]")
	if status == 0 then
		ci:add_proto_expert_info(e.csum)
	end

	local shown = math.min(plen, avail)
	local sacks = {}
	if has(flags, F_SACK) and not has(flags, F_SYN) then
		-- SACK blocks, not data.  lynx drops the frame unless its
		-- flags are exactly ACK|SACK and it has 1 to 4 whole blocks.
		local si
		if shown > 0 then
			si = root:add(f.sack, tvb(LYNX_HLEN, shown))
		else
			si = root:add(f.sack, tvb(4, 2))	-- at the length
		end
		local n = math.floor(shown / SACK_BLOCK)
		local ni = si:add(f.sack_cnt, n)
		ni:set_generated()
		for i = 1, n do
			local off = LYNX_HLEN + (i - 1) * SACK_BLOCK
			local st = tvb(off, 4):uint()
			local en = tvb(off + 4, 4):uint()
			local bi = si:add(f.sack_blk, tvb(off, SACK_BLOCK))
			bi:append_text(string.format(" %u: %u-%u", i, st, en))
			bi:add(f.sack_st, tvb(off, 4))
			bi:add(f.sack_end, tvb(off + 4, 4))
			sacks[#sacks + 1] = string.format("%u-%u", st, en)
		end
		local rest = shown - n * SACK_BLOCK
		if rest > 0 then
			si:add(tvb(LYNX_HLEN + n * SACK_BLOCK, rest), string.format(
			       "Trailing bytes: %u (not a whole block)", rest))
		end
		si:append_text(string.format(": %u", n))
		if flags ~= F_ACK + F_SACK or plen == 0 or
		   plen > SACK_MAX * SACK_BLOCK or plen % SACK_BLOCK ~= 0 then
			si:add_proto_expert_info(e.sack)
		end
	elseif shown > 0 then
		root:add(f.payload, tvb(LYNX_HLEN, shown))
	end
	if avail > plen then
		-- Ethernet padding after a short payload (lynx drops it).
		root:add(f.padding, tvb(LYNX_HLEN + plen, avail - plen))
	end

	local tname = types[ftype] or ("type " .. ftype)
	root:append_text(string.format(", %s, %08x:%u -> %08x:%u, len %u",
				       tname, src_node, src_port, dst_node,
				       dst_port, plen))
	local info = string.format("%s %08x:%u -> %08x:%u", tname, src_node,
				   src_port, dst_node, dst_port)
	if flags ~= 0 then
		info = info .. " [" .. flag_string(flags) .. "]"
	end
	if ftype == 2 or ftype == 3 then
		info = info .. string.format(" seq=%u", seq)
		if has(flags, F_ACK) then
			info = info .. string.format(" ack=%u", ack)
		end
		info = info .. string.format(" win=%u", window)
	end
	info = info .. string.format(" len=%u", plen)
	if #sacks > 0 then
		info = info .. " sack=" .. table.concat(sacks, ",")
	end
	if status == 0 then
		info = info .. " [bad checksum]"
	end
	pinfo.cols.info = info
	return caplen
end

DissectorTable.get("ethertype"):add(0x88B5, lynx)
