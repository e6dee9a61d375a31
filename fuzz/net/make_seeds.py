#!/usr/bin/env python3
"""Writes seed corpora for the net fuzz targets from the captured pcaps in tests/net/capture."""
import os, struct, sys
root = os.path.dirname(os.path.abspath(__file__))
cap = os.path.join(root, '..', '..', 'tests', 'net', 'capture')

def frames(path):
    d = open(path, 'rb').read(); off = 24; out = []
    while off < len(d):
        _, _, incl, _ = struct.unpack('<IIII', d[off:off + 16]); off += 16
        out.append(d[off:off + incl]); off += incl
    return out

fs = [f for p in ('dhcp_arp_tcp.pcap', 'ping_udp.pcap') for f in frames(os.path.join(cap, p))
      if f[12:14] in (b'\x08\x00', b'\x08\x06')]
def put(target, name, data):
    d = os.path.join(root, 'corpus', target); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), 'wb').write(data)
for i, f in enumerate(fs):
    put('fuzz_net_ethernet_arp', 'f%02d' % i, f)
    put('fuzz_net_ethernet_arp', 'a%02d' % i, f[14:])
    if f[12:14] != b'\x08\x00': continue
    ip = f[14:]; ihl = (ip[0] & 15) * 4; l4 = ip[ihl:]; addrs = ip[12:20]
    put('fuzz_net_ipv4', 'f%02d' % i, ip)
    if ip[9] in (1, 17): put('fuzz_net_icmp_udp', 'f%02d' % i, addrs + l4)
    if ip[9] == 6: put('fuzz_net_tcp', 'f%02d' % i, addrs + l4)
    if ip[9] == 17 and len(l4) > 8 and struct.unpack('!H', l4[2:4])[0] in (67, 68):
        put('fuzz_net_dhcp', 'f%02d' % i, l4[8:])
# The interface: mode 3 (static config + DHCP), every frame 1 s apart, and mode 2 (DHCP only).
for mode in (2, 3, (24 << 3) | 3):
    rec = bytes([mode]) + b''.join(bytes([10]) + struct.pack('!H', len(f)) + f for f in fs)
    put('fuzz_net_interface', 'all_mode%d' % mode, rec)

# A DHCP exchange the interface fuzzer's client accepts: its xid comes from the harness's
# deterministic LCG (call 1: the interface's IP id, call 2: the xid).
def lcg(n):
    s = 1
    for _ in range(n): s = (s * 1664525 + 1013904223) & 0xffffffff
    return s
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def ip4(a): return bytes(int(x) for x in a.split('.'))
def udp_frame(src_mac, dst_mac, src, dst, sport, dport, payload):
    u = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    ph = ip4(src) + ip4(dst) + struct.pack('!BBH', 0, 17, len(u))
    c = csum(ph + u) or 0xffff
    u = u[:6] + struct.pack('!H', c) + u[8:]
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(u), 1, 0, 64, 17, 0, ip4(src), ip4(dst))
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return dst_mac + src_mac + b'\x08\x00' + h + u
def dhcp_reply(xid, mtype, client_mac):
    m = struct.pack('!BBBBIHH4s4s4s4s', 2, 1, 6, 0, xid, 0, 0x8000, b'\0' * 4, ip4('10.77.0.64'),
                    ip4('10.77.0.1'), b'\0' * 4) + client_mac + b'\0' * 10 + b'\0' * 192
    m += struct.pack('!I', 0x63825363)
    m += bytes([53, 1, mtype, 54, 4]) + ip4('10.77.0.1') + bytes([51, 4]) + struct.pack('!I', 60)
    m += bytes([1, 4, 255, 255, 255, 0, 3, 4]) + ip4('10.77.0.1') + bytes([6, 4]) + ip4('10.77.0.1')
    m += bytes([255])
    return m + b'\0' * (300 - len(m)) if len(m) < 300 else m
client = bytes([2, 0, 0, 0, 0, 1]); server = bytes([6, 0x3f, 0x7b, 0xe8, 0x6c, 0x9f])
bcast = b'\xff' * 6
xid = lcg(2)
offer = udp_frame(server, bcast, '10.77.0.1', '255.255.255.255', 67, 68, dhcp_reply(xid, 2, client))
ack = udp_frame(server, bcast, '10.77.0.1', '255.255.255.255', 67, 68, dhcp_reply(xid, 5, client))
arp_req = bcast + server + b'\x08\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + server + \
    ip4('10.77.0.1') + b'\0' * 6 + ip4('10.77.0.64')
arp_rep = client + server + b'\x08\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, 2) + server + \
    ip4('10.77.0.1') + client + ip4('10.77.0.64')
recs = [(0, b''), (1, offer), (1, ack), (1, arp_req), (255, arp_rep), (255, b''), (255, b'')]
put('fuzz_net_interface', 'dhcp_exchange',
    bytes([2]) + b''.join(bytes([t]) + struct.pack('!H', len(f)) + f for t, f in recs))
